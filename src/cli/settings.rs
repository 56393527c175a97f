//! Flags + environment -> one settings struct per command, so commands never see clap types.

use std::path::PathBuf;

use super::args::{GlobalArgs, SelectArgs};
use crate::project::LoadOptions;

/// What every command needs to load the project.
#[derive(Debug, Clone)]
pub struct Settings {
    pub load: LoadOptions,
    pub threads: Option<usize>,
}

impl Settings {
    pub fn from_args(g: &GlobalArgs) -> Settings {
        let project_dir = g.project_dir.clone().unwrap_or_else(|| PathBuf::from("."));
        Settings {
            load: LoadOptions {
                project_dir,
                profiles_dir: g.profiles_dir.clone(),
                profile: g.profile.clone(),
                target: g.target.clone(),
                vars: g.vars.clone(),
                target_path: g
                    .target_path
                    .as_ref()
                    .map(|p| p.to_string_lossy().into_owned()),
            },
            threads: g.threads,
        }
    }
}

/// Selection flags, resolved.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub exclude: Vec<String>,
    pub selector: Option<String>,
    pub indirect: String,
}

impl From<&SelectArgs> for Selection {
    fn from(a: &SelectArgs) -> Selection {
        let split = |v: &[String]| -> Vec<String> {
            v.iter()
                .flat_map(|s| s.split_whitespace().map(str::to_string))
                .collect()
        };
        Selection {
            select: split(&a.select),
            exclude: split(&a.exclude),
            selector: a.selector.clone(),
            indirect: a.indirect_selection.clone(),
        }
    }
}
