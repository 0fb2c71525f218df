//! The REST API under `/api/v1`, with its OpenAPI 3 document at `/api/v1/openapi.json`.
//!
//! Routes are registered through utoipa-axum, so the router and the document come from the
//! same list and cannot drift apart; the tenant-isolation test walks the document to reach
//! every route.

mod access;
mod auth_routes;
mod calendar;
mod channels;
mod evergreen;
mod exchange;
mod invitations;
mod me;
pub(crate) mod media;
mod members;
mod notifications;
pub mod plan;
mod platforms;
mod posts;
mod strategy;
mod tasks;
mod users;
mod workflow;
mod workspaces;

pub use access::WorkspaceAccess;
pub use me::{change_password_for, issue_token};
pub use media::MAX_UPLOAD;

use crate::state::AppState;
use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Herald API", description = "Self-hosted social media marketing. Errors are always {\"error\":{\"code\",\"message\",\"field\"}}."),
    modifiers(&Security),
    security(("bearer" = []), ("session" = [])),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorCode))
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("herald_session"))),
        );
    }
}

/// The API router (paths already prefixed with `/api/v1`) and its OpenAPI document.
pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth_routes::create_token))
        .routes(routes!(users::create_user))
        .routes(routes!(me::get_me, me::update_me))
        .routes(routes!(me::change_password))
        .routes(routes!(me::list_tokens, me::create_token))
        .routes(routes!(me::revoke_token))
        .routes(routes!(workspaces::list, workspaces::create))
        .routes(routes!(
            workspaces::get_one,
            workspaces::update,
            workspaces::delete
        ))
        .routes(routes!(workspaces::audit))
        .routes(routes!(members::list))
        .routes(routes!(members::update, members::remove))
        .routes(routes!(invitations::list, invitations::create))
        .routes(routes!(invitations::revoke))
        .routes(routes!(invitations::accept))
        .routes(routes!(platforms::list))
        .routes(routes!(platforms::text_check))
        .routes(routes!(channels::list, channels::connect))
        .routes(routes!(channels::get_one, channels::disconnect))
        .routes(routes!(channels::reconnect))
        .routes(routes!(channels::feed))
        .routes(routes!(posts::list, posts::create))
        .routes(routes!(posts::get_one, posts::update, posts::delete))
        .routes(routes!(posts::deliveries))
        .routes(routes!(posts::retry))
        .routes(routes!(workflow::get_settings, workflow::set_settings))
        .routes(routes!(workflow::get_workflow))
        .routes(routes!(workflow::submit))
        .routes(routes!(workflow::approve))
        .routes(routes!(workflow::request_changes))
        .routes(routes!(workflow::move_to))
        .routes(routes!(workflow::comments, workflow::add_comment))
        .routes(routes!(workflow::list_links, workflow::create_link))
        .routes(routes!(workflow::revoke_link))
        .routes(routes!(plan::get_settings, plan::put_settings))
        .routes(routes!(plan::list_rules))
        .routes(routes!(plan::put_rule, plan::delete_rule))
        .routes(routes!(plan::generate))
        .routes(routes!(plan::list_slots))
        .routes(routes!(plan::fill))
        .routes(routes!(plan::queue))
        .routes(routes!(evergreen::list, evergreen::create))
        .routes(routes!(evergreen::delete))
        .routes(routes!(evergreen::members, evergreen::add))
        .routes(routes!(evergreen::remove))
        .routes(routes!(calendar::reschedule_post))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(media::list, media::upload))
                .layer(axum::extract::DefaultBodyLimit::max(media::MAX_UPLOAD)),
        )
        .routes(routes!(strategy::get_all))
        .routes(routes!(strategy::create_persona))
        .routes(routes!(strategy::update_persona, strategy::delete_persona))
        .routes(routes!(strategy::create_goal))
        .routes(routes!(strategy::update_goal, strategy::delete_goal))
        .routes(routes!(strategy::create_pillar))
        .routes(routes!(strategy::update_pillar, strategy::delete_pillar))
        .routes(routes!(strategy::set_tone))
        .routes(routes!(strategy::create_competitor))
        .routes(routes!(
            strategy::update_competitor,
            strategy::delete_competitor
        ))
        .routes(routes!(tasks::list, tasks::create))
        .routes(routes!(tasks::get_one, tasks::update, tasks::delete))
        .routes(routes!(tasks::mine))
        .routes(routes!(notifications::list))
        .routes(routes!(notifications::read_one))
        .routes(routes!(notifications::read_all))
        .routes(routes!(
            notifications::get_settings,
            notifications::put_settings
        ))
        .routes(routes!(notifications::test_email))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(exchange::import))
                .layer(axum::extract::DefaultBodyLimit::max(exchange::MAX_IMPORT)),
        )
        .routes(routes!(exchange::export))
        .routes(routes!(
            exchange::feed_status,
            exchange::feed_rotate,
            exchange::feed_revoke
        ))
        .routes(routes!(media::set_alt))
        .routes(routes!(media::file))
        .split_for_parts()
}

/// Serves the OpenAPI document.
pub async fn openapi_json(
    axum::extract::State(doc): axum::extract::State<std::sync::Arc<utoipa::openapi::OpenApi>>,
) -> Json<utoipa::openapi::OpenApi> {
    Json((*doc).clone())
}
