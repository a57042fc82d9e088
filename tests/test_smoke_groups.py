from tests.conftest import COORDINATOR


def test_group_new_and_list(slack, fake_slack):
    fake_slack.add_user("U1", "ama")
    r = slack.command("group new data-ethics Exploring data ethics", user=COORDINATOR)
    assert r.status == 200, r.body
    assert "data-ethics" in r.text
    r = slack.command("group join data-ethics", user="U1")
    assert "Welcome" in r.text
    r = slack.command("group list", user="U1")
    assert "data-ethics" in r.text and "1 member" in r.text
    fake_slack.wait_for("users.info")


def test_unsigned_is_401(slack):
    r = slack.post(b"text=help", "application/x-www-form-urlencoded")
    assert r.status == 401
