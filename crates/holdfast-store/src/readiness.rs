//! Loads the snapshot of records the readiness engine reads.

use holdfast_core::readiness::Snapshot;

use crate::activities::ActivityQuery;
use crate::tasks::TaskQuery;
use crate::{Store, StoreError};

impl Store {
    /// Every record the readiness engine judges, read now.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn readiness_snapshot(&self) -> Result<Snapshot, StoreError> {
        let processes = self.list_processes().await?;
        let activities = self
            .list_activities(&ActivityQuery {
                limit: 100_000,
                ..ActivityQuery::default()
            })
            .await?;
        let rules = self.list_rules().await?;
        let tasks = self
            .list_tasks(&TaskQuery {
                limit: 100_000,
                ..TaskQuery::default()
            })
            .await?;
        // Only owners matter to the checks; read just those people.
        let mut people = Vec::new();
        let mut owners: Vec<_> = processes.iter().filter_map(|p| p.owner_id).collect();
        owners.sort();
        owners.dedup();
        for id in owners {
            match self.person(id).await {
                Ok(p) => people.push(p),
                Err(StoreError::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(Snapshot {
            processes,
            activities,
            rules,
            tasks,
            people,
        })
    }
}
