use std::collections::HashSet;

use crate::helpers::id_of;
use crate::helpers::spawn_app;

#[tokio::test]
async fn the_demo_loads_once_and_shows_every_warning_light() {
    let app = spawn_app().await;
    let first = app.seed(zhenggai::seed::DEMO);
    assert_eq!(
        (
            first.units,
            first.inspections,
            first.findings,
            first.measures
        ),
        (7, 2, 10, 19)
    );
    let again = app.seed(zhenggai::seed::DEMO);
    assert_eq!(
        (
            again.units,
            again.inspections,
            again.findings,
            again.measures
        ),
        (0, 0, 0, 0)
    );
    assert_eq!(app.get_json("/api/v1/measures").await["total"], 19);
    assert_eq!(app.get_json("/api/v1/findings").await["total"], 10);
    assert_eq!(app.get_json("/api/v1/units").await["total"], 7);

    let measures = app.get_json("/api/v1/measures?limit=100").await;
    let lights: HashSet<&str> = measures["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["warning"].as_str().unwrap())
        .collect();
    assert_eq!(lights, HashSet::from(["red", "yellow", "green"]));
    assert_eq!(
        app.get_json("/api/v1/measures?status=closed").await["total"],
        6
    );
    assert_eq!(
        app.get_json("/api/v1/measures?kind=long_term").await["total"],
        8
    );
    let listed = app.get_json("/api/v1/findings?status=closed").await;
    assert_eq!(listed["items"][0]["code"], "XC-2022-03-07");

    // The example ledger's pending extension request and returned closure request.
    let items = measures["items"].as_array().unwrap();
    let by_code = |code: &str| items.iter().find(|m| m["code"] == code).unwrap().clone();
    let waiting = by_code("XC-2022-03-03-1");
    let asked = app
        .get_json(&format!("/api/v1/measures/{}/extensions", id_of(&waiting)))
        .await;
    assert_eq!(asked["items"][0]["status"], "pending", "{asked}");
    assert_eq!(
        asked["items"][0]["reason"],
        "支部书记调整，需重新履行支委会程序"
    );
    assert_eq!(by_code("XC-2022-03-05-2")["return_count"], 1);
}
