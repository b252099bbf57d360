def test_dashboard_shows_restart_rate_fraction(client, login, make_user, make_project):
    make_user("office", "office")
    make_project(code="A")
    login("office")
    page = client.get("/").get_data(as_text=True)
    assert "开复工率" in page
