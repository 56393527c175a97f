//! The command line: arguments + environment -> settings -> a command's exit code.

pub mod args;
pub mod budget;
pub mod build;
pub mod commands;
pub mod docs;
pub mod operation;
pub mod output;
pub mod progress;
pub mod report;
pub mod settings;
pub mod show;
pub mod warehouse;

use std::io::IsTerminal;

use clap::Parser;

use args::{Cli, Command};
use output::Printer;
use settings::{Selection, Settings};

/// Runs xform with the process arguments; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                commands::INVALID
            } else {
                commands::OK
            };
            let _ = e.print();
            return code;
        }
    };
    run(cli)
}

pub fn run(cli: Cli) -> i32 {
    let settings = Settings::from_args(&cli.global);
    let color = !cli.global.no_color
        && std::env::var_os("NO_COLOR").is_none()
        && std::io::stderr().is_terminal();
    let mut printer = Printer {
        format: cli.global.log_format,
        quiet: cli.global.quiet,
        color,
        root: settings.load.project_dir.clone(),
        secrets: Vec::new(),
        status: None,
    };
    match &cli.command {
        Command::Parse => commands::parse_cmd(&settings, &mut printer),
        Command::Docs {
            action: args::DocsAction::Generate { empty_catalog, .. },
        } => docs::docs_generate_cmd(&settings, *empty_catalog, &mut printer),
        Command::Docs {
            action: args::DocsAction::Serve { port, .. },
        } => docs::docs_serve_cmd(&settings, *port, &mut printer),
        Command::Compile {
            select,
            inline,
            no_sql_check,
            estimate,
            column_lineage,
        } => commands::compile_cmd(
            &settings,
            &Selection::from(select),
            inline.as_deref(),
            !no_sql_check,
            *estimate,
            *column_lineage,
            &mut printer,
        ),
        Command::Ls {
            select,
            resource_type,
            output,
            output_keys,
        } => commands::ls_cmd(
            &settings,
            &Selection::from(select),
            resource_type,
            *output,
            output_keys,
            &mut printer,
        ),
        Command::Show {
            select,
            inline,
            limit,
            output,
        } => show::show_cmd(
            &settings,
            select,
            inline.as_deref(),
            *limit,
            *output,
            &mut printer,
        ),
        Command::RunOperation { macro_name, args } => {
            operation::run_operation_cmd(&settings, macro_name, args.as_deref(), &mut printer)
        }
        Command::Debug => commands::debug_cmd(&settings, &mut printer),
        Command::Clean => commands::clean_cmd(&settings, &mut printer),
        Command::Run { select, run } => {
            build::build_cmd(&settings, build::Kind::Run, select, run, &mut printer)
        }
        Command::Seed { select, run } => {
            build::build_cmd(&settings, build::Kind::Seed, select, run, &mut printer)
        }
        Command::Snapshot { select, run } => {
            build::build_cmd(&settings, build::Kind::Snapshot, select, run, &mut printer)
        }
        Command::Test { select, run } => {
            build::build_cmd(&settings, build::Kind::Test, select, run, &mut printer)
        }
        Command::Build { select, run } => {
            build::build_cmd(&settings, build::Kind::Build, select, run, &mut printer)
        }
    }
}
