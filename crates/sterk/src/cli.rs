//! The command line: every command, argument and environment variable of `sterk`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(name = "sterk", version, about = "Sterk Techniekonderwijs: het platform voor de STO-regio's")]
pub(crate) struct Cli {
    /// Folder for the SQLite database and uploads.
    #[arg(long, global = true, env = "STERK_DATA_DIR", default_value = "./sterk-data")]
    pub(crate) data_dir: PathBuf,
    /// Database URL; `postgres://…` selects PostgreSQL. Default: SQLite in the data folder.
    #[arg(long, global = true, env = "STERK_DATABASE_URL")]
    pub(crate) database_url: Option<String>,
    /// Folder whose `{id}.toml` replace the shipped regulation files.
    #[arg(long, global = true, env = "STERK_REGULATIONS_DIR")]
    pub(crate) regulations_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Migrate the database and serve the web site and API.
    Serve {
        #[arg(long, env = "STERK_BIND", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        /// Load the demo data set (once; starting again does not duplicate it).
        #[arg(long, env = "STERK_DEMO")]
        demo: bool,
        /// Submit and check applications as if it were this moment (RFC 3339), e.g. for a demo or a
        /// training; with --demo the default is 15 September 2026 12:00: inside the window for the
        /// detailed plan 2027–2028, a year and a half into the execution of the demo's plan.
        #[arg(long, env = "STERK_CLOCK")]
        clock: Option<String>,
        /// Mark cookies Secure: `auto` does so unless bound to a loopback address over plain HTTP.
        #[arg(long, env = "STERK_SECURE_COOKIES", value_enum, default_value = "auto")]
        secure_cookies: SecureCookies,
        /// Reverse proxies (CIDRs, comma-separated) whose Forwarded/X-Forwarded-For headers name
        /// the client for the sign-in limits; without it the socket address is the client.
        #[arg(long, env = "STERK_TRUSTED_PROXIES", default_value = "")]
        trusted_proxies: String,
        /// The header the trusted proxies write: x-forwarded-for or forwarded (RFC 7239).
        #[arg(long, env = "STERK_FORWARDED_HEADER", default_value = "x-forwarded-for")]
        forwarded_header: String,
        /// A separate address that serves only `/metrics`, without a token (e.g. 127.0.0.1:9100),
        /// for the monitoring. On the main address `/metrics` answers only with
        /// `Authorization: Bearer $STERK_METRICS_TOKEN`.
        #[arg(long, env = "STERK_METRICS_BIND")]
        metrics_bind: Option<SocketAddr>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Check an application (sterk.application/1 JSON) against its regulation, with the region
    /// maximum table of the database when there is one (else the file's region.maximum_eur).
    /// Exit 0: no blocking rule failed; 1: one did; 2: the file is malformed.
    Check {
        file: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: CheckFormat,
    },
    /// The 2020–2023 allocation per region from pupil numbers (CSV `region,bb_kb_pupils,gl_pupils`).
    Allocate {
        #[arg(long, default_value = "sto-2020-2023")]
        regulation: String,
        #[arg(long)]
        pupils: PathBuf,
        #[arg(long, value_enum, default_value = "csv")]
        format: AllocateFormat,
    },
    /// Export a region's application: the sterk.application/1 JSON.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Import a region's application from a sterk.application/1 JSON file (replaces the draft).
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Send the reminders that are due before the regulation's deadlines (the server does this every hour).
    /// Lead times in days from STERK_REMINDER_DAYS (default 14,3).
    Reminders {
        /// Act as if it were this moment (RFC 3339).
        #[arg(long, env = "STERK_CLOCK")]
        clock: Option<String>,
    },
    /// The indicators from open data for a scope: national, region:{slug} or location:{duo_code}.
    Indicators {
        #[arg(long, default_value = "national")]
        scope: String,
        /// One school year, e.g. 2023-2024; all years when left out.
        #[arg(long)]
        year: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: IndicatorFormat,
    },
    /// Write a backup: every table and every stored file of one moment, with a manifest of counts
    /// and hashes, in one ZIP file, while the server keeps serving and writing.
    Backup { file: PathBuf },
    /// Load a backup into an empty database (SQLite or PostgreSQL: the way from the embedded
    /// database to PostgreSQL), all or nothing, every count and hash checked against the manifest.
    Restore { file: PathBuf },
    /// Manage users.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ReportKindArg {
    Progress,
    Final,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ReportFormatArg {
    Pdf,
    Xlsx,
}

#[derive(Subcommand)]
pub(crate) enum ExportCommand {
    /// A region's progress report (one year) or final accounts, as PDF or XLSX.
    Report {
        slug: String,
        #[arg(long, value_enum)]
        kind: ReportKindArg,
        /// The year a progress report covers (2025 to 2028).
        #[arg(long)]
        period: Option<i16>,
        #[arg(long, value_enum, default_value = "pdf")]
        format: ReportFormatArg,
        #[arg(short = 'o', long)]
        output: PathBuf,
    },
    /// The funder's current decision on a region's application, as its letter (PDF).
    Decision {
        /// The region's web address, e.g. zuid-friesland.
        slug: String,
        /// hoofdlijnen, uitwerking-2025-2026 or uitwerking-2027-2028.
        phase: String,
        #[arg(short = 'o', long)]
        output: PathBuf,
    },
    Application {
        /// The region's web address, e.g. zuid-friesland.
        slug: String,
        /// vooraanmelding, hoofdlijnen, uitwerking-2025-2026 or uitwerking-2027-2028.
        phase: String,
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
        /// The file to write; standard output when left out.
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ExportFormat {
    Json,
    Xlsx,
    Pdf,
}

#[derive(Subcommand)]
pub(crate) enum ImportCommand {
    Application {
        slug: String,
        file: PathBuf,
    },
    /// A region's hours from a CSV or XLSX file (the columns of the hours page), all or nothing.
    Hours {
        /// The region's web address, e.g. zuid-friesland.
        slug: String,
        file: PathBuf,
    },
    /// DUO's exam candidates and passes file (examenkandidaten-en-geslaagden), all or nothing;
    /// the school years it holds replace those stored.
    DuoExams {
        file: PathBuf,
    },
    /// DUO's pupils per school location file (leerlingen vo per vestiging), all or nothing; the
    /// school years it holds replace those stored.
    DuoPupils {
        file: PathBuf,
        /// The school year when the file has no SCHOOLJAAR or PEILDATUM column (e.g. 2023-2024);
        /// else read from a year in the file name (`…-2023.csv`: counted 1 October 2023).
        #[arg(long)]
        school_year: Option<String>,
    },
    /// DUO's school locations file (vestigingen), all or nothing; enriches the registry's
    /// organisations (name, place, municipality) by DUO code.
    DuoLocations {
        file: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum IndicatorFormat {
    Json,
    Csv,
    Text,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum CheckFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum AllocateFormat {
    Csv,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum SecureCookies {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
pub(crate) enum UsersCommand {
    /// Add a user with a role (or add the role to an existing user): first-time set-up without the demo.
    Add {
        #[arg(long)]
        email: String,
        /// national_admin, region_manager, lead_applicant, school_contact, partner, assessor (the
        /// funder's staff) or observer (the ministry).
        #[arg(long)]
        role: String,
        /// The region's web address (slug); not for national_admin, assessor or observer.
        #[arg(long, default_value = "")]
        region: String,
        /// The organisation id the user acts for (a school contact's school, a partner's company).
        #[arg(long, default_value = "")]
        organisation: String,
        #[arg(long, default_value = "")]
        name: String,
        /// The password; a random one is generated and printed when left out.
        #[arg(long, env = "STERK_USER_PASSWORD")]
        password: Option<String>,
    },
    /// Clear someone's two-factor sign-in (phone and recovery codes lost): they set it up again at
    /// the next sign-in; every session of theirs ends.
    ResetTwoFactor {
        #[arg(long)]
        email: String,
    },
}
