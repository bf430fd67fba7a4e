//! The regulations Sterk knows: the ones shipped in the binary, each overridable by a file of
//! the same name in a directory (so an administrator can correct a value without a new build).

use std::path::Path;

use domain::regulation::allocate::{self, AllocationReport, RowError};
use domain::regulation::application::{Application, FormatError};
use domain::regulation::check::{self, CheckError, Report};
use domain::regulation::{BUILTIN, Regulation, RegulationError};

#[derive(Debug, Clone)]
pub struct Regulations {
    pub all: Vec<Regulation>,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: {source}")]
    Invalid { path: String, source: RegulationError },
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
}

impl Regulations {
    /// The shipped regulations only.
    pub fn builtin() -> Regulations {
        Regulations::load(None).expect("the shipped regulation files parse (tested)")
    }

    /// The shipped regulations, each replaced by `DIR/{id}.toml` where present. Their region
    /// maximum tables are the national team's data: see [`crate::maximums`].
    pub fn load(dir: Option<&Path>) -> Result<Regulations, LoadError> {
        let mut all = Vec::new();
        for (id, toml_text) in BUILTIN {
            let toml_path = dir.map(|d| d.join(format!("{id}.toml")));
            let toml_text = read_or(toml_path.as_deref(), toml_text)?;
            let path = toml_path
                .filter(|p| p.exists())
                .map_or_else(|| format!("(ingebouwd) {id}"), |p| p.display().to_string());
            all.push(Regulation::parse(&toml_text).map_err(|source| LoadError::Invalid { path, source })?);
        }
        Ok(Regulations { all })
    }

    pub fn get(&self, id: &str) -> Option<&Regulation> {
        self.all.iter().find(|r| r.id == id)
    }

    /// Parses and checks an application against the regulation it names.
    pub fn check_json(&self, text: &str) -> Result<(Report, &Regulation), CheckError> {
        let app = Application::from_json(text)?;
        let reg = self.get(&app.regulation).ok_or_else(|| FormatError {
            path: "regulation".into(),
            message: format!(
                "onbekende regeling \"{}\"; bekend zijn: {}",
                app.regulation,
                self.all.iter().map(|r| r.id.as_str()).collect::<Vec<_>>().join(", ")
            ),
        })?;
        Ok((check::check(reg, &app)?, reg))
    }

    /// The allocation formula of a regulation over a pupils CSV.
    pub fn allocate_csv(&self, regulation: &str, csv_text: &str) -> Result<AllocationReport, AllocateError> {
        let reg = self
            .get(regulation)
            .ok_or_else(|| AllocateError::Regulation(RegulationError::Unknown(regulation.into())))?;
        let rows = allocate::parse_pupils(csv_text)?;
        Ok(allocate::allocate(reg, &rows)?)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AllocateError {
    #[error(transparent)]
    Rows(#[from] RowError),
    #[error(transparent)]
    Regulation(#[from] RegulationError),
}

fn read_or(path: Option<&Path>, builtin: &str) -> Result<String, LoadError> {
    match path {
        Some(p) if p.exists() => {
            std::fs::read_to_string(p).map_err(|source| LoadError::Io { path: p.display().to_string(), source })
        }
        _ => Ok(builtin.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_overrides_a_shipped_file() {
        let dir = std::env::temp_dir().join(format!("sterk-reg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let changed = BUILTIN[0].1.replace("value = \"0.10\"", "value = \"0.12\"");
        std::fs::write(dir.join("sto-2025-2028.toml"), changed).unwrap();
        let regs = Regulations::load(Some(&dir)).unwrap();
        let reg = regs.get("sto-2025-2028").unwrap();
        assert_eq!(reg.decimal_at("cofinancing-minimum-share", reg.start()).unwrap().0.to_string(), "0.12");
        std::fs::write(dir.join("sto-2025-2028.toml"), "kapot").unwrap();
        let err = Regulations::load(Some(&dir)).unwrap_err();
        assert!(err.to_string().contains("sto-2025-2028.toml"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
