//! Listing login accounts.

use holdfast_core::account::{Role, UserAccount};
use holdfast_core::ids::UserId;
use holdfast_store::UserAccountPatch;

use crate::AppState;
use crate::api::session::AccountDto;
use crate::auth::Caller;
use crate::error::AppError;
use crate::list::{FixedOrder, ListParams, Page};

/// The accounts list's parameters: in email order, searched by part of the email.
pub type UsersParams = ListParams<FixedOrder>;

/// One page of login accounts by email.
///
/// # Errors
/// [`AppError::Internal`] when the store fails.
pub async fn list(st: &AppState, p: &UsersParams) -> Result<Page<AccountDto>, AppError> {
    let after = p.after.as_ref().and_then(|k| k.first()).map(String::as_str);
    let (rows, total) = st
        .store
        .list_user_accounts(p.q.as_deref(), after, p.fetch())
        .await?;
    Ok(p.page(
        rows,
        total,
        |a| vec![a.email.to_string()],
        |a| AccountDto::from(&a),
    ))
}

/// Changes an account's role, state or person. Nobody disables or demotes their own account:
/// the last administrator could lock everyone out.
///
/// # Errors
/// 422 naming `role` for a change to one's own account; as the store otherwise.
pub async fn update(
    st: &AppState,
    caller: &Caller,
    id: UserId,
    version: i64,
    patch: &UserAccountPatch,
) -> Result<UserAccount, AppError> {
    if id == caller.account.id
        && (patch.disabled == Some(true) || patch.role.is_some_and(|r| r != Role::Admin))
    {
        return Err(AppError::invalid(
            "role",
            "you cannot disable or demote your own account; ask another administrator",
        ));
    }
    Ok(st
        .store
        .update_user_account(&caller.actor(), id, version, patch)
        .await?)
}
