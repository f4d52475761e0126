from fastapi.testclient import TestClient


def test_member_list_answers_the_seeded_coordinator(client: TestClient) -> None:
    r = client.get("/v1/member-list")
    assert r.status_code == 200
    assert r.json()["coordinator"]["id"] == "unodc"
