//! The organisation record.

use holdfast_core::ids::OrganisationId;
use holdfast_core::organisation::Organisation;
use holdfast_core::person::required_text;
use sqlx::Row;
use uuid::Uuid;

use crate::rows::{now_text, parse_id};
use crate::{Actor, Store, StoreError, WriteTx};

/// The organisation's time zone, read inside a write (UTC before there is one).
pub(crate) async fn time_zone_in(w: &mut WriteTx) -> Result<String, StoreError> {
    let tz: Option<String> =
        sqlx::query_scalar("select time_zone from organisation order by created_at, id limit 1")
            .fetch_optional(&mut *w.tx)
            .await?;
    Ok(tz.unwrap_or_else(|| "UTC".to_owned()))
}

impl Store {
    /// Creates the organisation that owns this ISMS.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a blank name or time zone.
    pub async fn create_organisation(
        &self,
        actor: &Actor,
        name: &str,
        time_zone: &str,
    ) -> Result<Organisation, StoreError> {
        let org = Organisation {
            id: OrganisationId::from_uuid(Uuid::now_v7()),
            name: required_text("name", name, 200)?,
            time_zone: required_text("time_zone", time_zone, 64)?,
        };
        let now = now_text();
        let mut w = self.write(actor).await?;
        sqlx::query(
            "insert into organisation (id, name, time_zone, created_at, updated_at) values ($1, $2, $3, $4, $4)",
        )
        .bind(org.id.to_string())
        .bind(&org.name)
        .bind(&org.time_zone)
        .bind(&now)
        .execute(&mut *w.tx)
        .await?;
        let after = serde_json::to_value(&org).map_err(StoreError::corrupt)?;
        w.record(
            "organisation",
            &org.id.to_string(),
            "create",
            None,
            Some(&after),
        )
        .await?;
        w.commit().await?;
        Ok(org)
    }

    /// The organisation of this installation, the first one created. Read once: it is never
    /// changed after it is created, so this process keeps it rather than asking on every
    /// request that needs its time zone.
    ///
    /// # Errors
    /// [`StoreError::Database`] when it cannot be read.
    pub async fn organisation(&self) -> Result<Option<Organisation>, StoreError> {
        if let Some(known) = self.organisation.get() {
            return Ok(Some(known.clone()));
        }
        let row = sqlx::query(
            "select id, name, time_zone from organisation order by created_at, id limit 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        let found = row
            .map(|r| {
                Ok::<_, StoreError>(Organisation {
                    id: parse_id(&r.try_get::<String, _>(0)?)?,
                    name: r.try_get(1)?,
                    time_zone: r.try_get(2)?,
                })
            })
            .transpose()?;
        if let Some(o) = &found {
            let _ = self.organisation.set(o.clone());
        }
        Ok(found)
    }
}
