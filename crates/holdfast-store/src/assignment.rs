//! Giving a run to someone else: a process owner hands a run to a colleague, who then finds
//! it in their work. The change is an audit event like any other.

use holdfast_core::activity::{Activity, check_assign};
use holdfast_core::ids::{ActivityId, PersonId};

use crate::activities::{activity_json, load};
use crate::rows::now_text;
use crate::{Actor, Store, StoreError};

impl Store {
    /// Gives an open run to `assignee`, if it is still at `expected_version`.
    ///
    /// # Errors
    /// [`StoreError::Stale`]; [`StoreError::Invalid`] when the run is closed or the person
    /// has left, is leaving or does not exist; [`StoreError::NotFound`] for an unknown run.
    pub async fn assign_activity(
        &self,
        actor: &Actor,
        id: ActivityId,
        expected_version: i64,
        assignee: PersonId,
    ) -> Result<Activity, StoreError> {
        let mut w = self.write(actor).await?;
        let before = load(&mut w, id).await?;
        if before.version != expected_version {
            return Err(StoreError::Stale("activity"));
        }
        let person = match crate::people::load_person(&mut w, assignee).await {
            Ok(p) => p,
            Err(StoreError::NotFound(_)) => {
                return Err(holdfast_core::ValidationErrors::one(
                    "assignee_id",
                    "no person with this id exists",
                )
                .into());
            }
            Err(e) => return Err(e),
        };
        check_assign(&before, &person)?;
        let n = sqlx::query(
            "update activity set assignee_id = $1, version = version + 1, updated_at = $2 \
             where id = $3 and version = $4",
        )
        .bind(assignee.to_string())
        .bind(now_text())
        .bind(id.to_string())
        .bind(expected_version)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::Stale("activity"));
        }
        let after = load(&mut w, id).await?;
        w.record(
            "activity",
            &id.to_string(),
            "assigned",
            Some(&activity_json(&before)),
            Some(&activity_json(&after)),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }
}
