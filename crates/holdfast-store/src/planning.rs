//! The scheduler's planning: every active process has its runs planned up to the horizon,
//! catching up on any cycle a stopped scheduler missed, so a missed cycle is a visible
//! overdue run rather than a gap.

use holdfast_core::clock::AsOf;
use holdfast_core::process::ProcessStatus;

use crate::activities::plan_within;
use crate::processes::load_process;
use crate::{Actor, Store, StoreError};

impl Store {
    /// Plans the runs of every active process up to `horizon_days` after today, each
    /// assigned to its process's owner, and resumes processes whose pause has ended.
    /// Idempotent: runs already planned are left alone. Returns how many were created.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn plan_activities(
        &self,
        actor: &Actor,
        as_of: AsOf,
        horizon_days: i64,
    ) -> Result<usize, StoreError> {
        self.resume_ended_pauses(actor, as_of).await?;
        let through = as_of.today + chrono::Duration::days(horizon_days.clamp(1, 3660));
        let mut created = 0;
        for p in self.list_processes().await? {
            if p.status != ProcessStatus::Active || p.runs_to_plan(through).is_empty() {
                continue;
            }
            let mut w = self.write(actor).await?;
            // Read again inside the write: another instance may have planned meanwhile.
            let mut p = load_process(&mut w, p.id).await?;
            created += plan_within(&mut w, &mut p, through).await?;
            w.commit().await?;
        }
        Ok(created)
    }
}
