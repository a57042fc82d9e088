"""The fixed words of the domain: stages, kinds, risk levels, SDGs, weekdays."""

STAGES: tuple[str, ...] = ("idea", "exploring", "piloting", "scaling", "adopted", "parked", "dropped")
STAGES_NEEDING_NOTE: frozenset[str] = frozenset({"parked", "dropped"})
LANGUAGES: tuple[str, ...] = ("en", "nl")  # English is the source; Dutch is translated
KINDS: tuple[str, ...] = ("instrument", "way-of-working", "strategy")
RISK_LEVELS: tuple[str, ...] = ("not-assessed", "low", "medium", "high")
RISKS: tuple[tuple[str, str], ...] = (
    ("privacy_risk", "Privacy"),
    ("civic_space_risk", "Civic space"),
    ("manipulation_risk", "Manipulation"),
)
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

SDG_NAMES: dict[int, str] = {
    1: "No poverty",
    2: "Zero hunger",
    3: "Good health and well-being",
    4: "Quality education",
    5: "Gender equality",
    6: "Clean water and sanitation",
    7: "Affordable and clean energy",
    8: "Decent work and economic growth",
    9: "Industry, innovation and infrastructure",
    10: "Reduced inequalities",
    11: "Sustainable cities and communities",
    12: "Responsible consumption and production",
    13: "Climate action",
    14: "Life below water",
    15: "Life on land",
    16: "Peace, justice and strong institutions",
    17: "Partnerships for the goals",
}

DEFAULT_STANDUP_QUESTIONS: tuple[str, ...] = (
    "What did you explore since the last stand-up?",
    "What will you explore next?",
    "Anything blocking you, or help you need?",
)

HANDLE_PATTERN = r"[a-z0-9-]{2,40}"
FORMER_MEMBER = "former member"
