//! `tasks-api keys …`: make, list and revoke API keys from the command line
//! (on SQLite or PostgreSQL, whatever `--database-url` names).

use clap::Subcommand;

use super::scope::Scopes;
use super::store::{self, Grant, KeyError};
use crate::db::Db;
use crate::domain::Timestamp;

#[derive(Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum KeysCommand {
    /// Make a key for an owner (created if new) and print it, once: only its
    /// hash is kept.
    Create {
        /// The owner (a user or a service account); `default` owns the data
        /// of a database from before owners existed.
        #[arg(long, default_value = "default")]
        owner: String,
        /// A name to tell the owner's keys apart (unique per owner).
        #[arg(long)]
        name: Option<String>,
        /// A scope the key holds (repeat the option, or separate with
        /// commas): tasks:read, tasks:write, keys:manage, admin. Default:
        /// every scope but admin.
        #[arg(long = "scope", value_delimiter = ',')]
        scopes: Vec<String>,
        /// How long the key is valid: a number and a unit, `s`, `m`, `h`
        /// or `d` (`90d`). Default: until revoked.
        #[arg(long)]
        expires_in: Option<String>,
    },
    /// List keys (never the keys themselves): id, owner, name, prefix,
    /// created, last used (to within a minute), revoked.
    List {
        /// Only this owner's keys.
        #[arg(long)]
        owner: Option<String>,
    },
    /// Revoke a key by id or prefix: every server refuses it within
    /// --key-cache-secs.
    Revoke {
        /// The key's id or prefix (`tsk_` and 8 characters), as listed.
        key: String,
    },
}

/// Runs `command`; returns what to print on stdout, and a note for stderr.
pub async fn run(db: &Db, command: &KeysCommand) -> Result<(String, String), KeyError> {
    match command {
        KeysCommand::Create {
            owner,
            name,
            scopes,
            expires_in,
        } => {
            let name = name
                .clone()
                .unwrap_or_else(|| format!("made {}", Timestamp::now().to_rfc3339()));
            let grant = grant(scopes, expires_in.as_deref())?;
            let key = store::create_key(db, owner, &name, true, grant).await?;
            let note = format!(
                "made key {name:?} for owner {owner:?}: store it now, it is not shown again"
            );
            Ok((format!("{key}\n"), note))
        }
        KeysCommand::List { owner } => {
            let keys = store::list_keys(db, owner.as_deref()).await?;
            Ok((table(&keys), format!("{} keys", keys.len())))
        }
        KeysCommand::Revoke { key } => {
            if store::revoke(db, key).await? {
                Ok((String::new(), format!("revoked {key}")))
            } else {
                Err(KeyError::NoSuchKey(key.clone()))
            }
        }
    }
}

/// What `--scope` and `--expires-in` ask for.
fn grant(scopes: &[String], expires_in: Option<&str>) -> Result<Grant, KeyError> {
    let scopes = if scopes.is_empty() {
        Scopes::user()
    } else {
        Scopes::parse_text(&scopes.join(" ")).map_err(KeyError::UnknownScope)?
    };
    let expires_at = expires_in
        .map(|text| {
            let lifetime =
                parse_lifetime(text).ok_or_else(|| KeyError::BadLifetime(text.to_owned()))?;
            Timestamp::now()
                .plus(lifetime)
                .ok_or_else(|| KeyError::BadLifetime(text.to_owned()))
        })
        .transpose()?;
    Ok(Grant { scopes, expires_at })
}

/// `90d`, `12h`, `30m`, `45s`: a positive whole number and a unit.
fn parse_lifetime(text: &str) -> Option<std::time::Duration> {
    let (number, unit) = text.split_at(text.len().checked_sub(1)?);
    let seconds_per = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    let n: u64 = number.parse().ok().filter(|n| *n > 0)?;
    n.checked_mul(seconds_per)
        .map(std::time::Duration::from_secs)
}

/// Keys as a table under a header, each column padded to its widest cell
/// (two spaces apart; the last column is not padded).
fn table(keys: &[store::KeyInfo]) -> String {
    let when = |t: Option<Timestamp>| t.map_or_else(|| "-".to_owned(), Timestamp::to_rfc3339);
    let header = [
        "id",
        "owner",
        "name",
        "prefix",
        "scopes",
        "created",
        "last_used",
        "expires",
        "revoked",
    ];
    let mut rows = vec![header.map(str::to_owned)];
    rows.extend(keys.iter().map(|key| {
        [
            key.id.to_string(),
            key.owner.clone(),
            key.name.clone(),
            key.prefix.clone(),
            key.scopes.names().join(","),
            key.created_at.to_rfc3339(),
            when(key.last_used_at),
            when(key.expires_at),
            when(key.revoked_at),
        ]
    }));
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .map(|row| row[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, &width)| format!("{cell:<width$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}
