//! The Lambda entry point (`bootstrap`, as the `provided.al2023` runtime expects).

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    connect_rt::lambda::run().await
}
