use crate::helpers::spawn_app;

#[tokio::test]
async fn healthz_answers_ok() {
    let app = spawn_app().await;
    let body = app.get_json("/healthz").await;
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn readyz_names_the_database_that_answered() {
    let app = spawn_app().await;
    let body = app.get_json("/readyz").await;
    assert_eq!(body["status"], "ok");
    let expected = if app.config.database_url.starts_with("postgres") {
        "postgresql"
    } else {
        "sqlite"
    };
    assert_eq!(body["database"], expected);
}
