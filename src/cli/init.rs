//! `ctrlmap init`: a new workspace that passes `ctrlmap check` straight away.
//!
//! The starting point is honest rather than empty: before any managed service is
//! contracted, the client owns every CSF 2.0 outcome. The scaffold lists them all under
//! `client_owned` (with NIST's outcome text as a comment), subscribes one example service,
//! and leaves the regulations off until the profile says they apply.

use crate::load::Loaded;
use anyhow::{Context, Result, anyhow, bail};
use std::fmt::Write as _;
use std::path::Path;

const CONFIG: &str = "\
kind: config
# Your company, as it appears on documents.
provider: Example Managed IT
# `ctrlmap check` fails on findings of this severity or higher (critical, high, medium, low, none).
fail_on: high
";

const SERVICE: &str = "\
kind: service
id: helpdesk
name: Helpdesk and End-User Support
tower: managed-end-user
description: >-
  Remote and on-site support for the client's staff, 8x5 with P1 critical 1-hour response,
  P2 high 4-hour response and P3 standard next-business-day response.
controls:
  - control: csf-2.0:RS.MA-02
    split: shared
    msp: Triage every reported incident within the SLA response time and escalate confirmed incidents.
    client: Report suspected incidents to the helpdesk without delay.
    evidence: [Monthly ticket report with response times]
";

pub fn scaffold(dir: &Path) -> Result<()> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .with_context(|| format!("reading {}", dir.display()))?
            .next()
            .is_some()
    {
        bail!("{} exists and is not empty; pick a new folder", dir.display());
    }
    let ws = Loaded::builtin().map_err(|e| anyhow!(e))?;
    let csf = ws
        .framework("csf-2.0")
        .ok_or_else(|| anyhow!("the built-in CSF 2.0 catalog is missing"))?;
    let mut scope = String::from(
        "kind: scope\n\
         id: example-client\n\
         client:\n  name: Example Client LLC\n  profile:\n    # hipaa: covered-entity     # makes HIPAA apply\n    # glba: true                # FTC Safeguards Rule\n    # nydfs: covered-entity     # 23 NYCRR Part 500\n    employees: 25\n\
         provider:\n  name: Example Managed IT\n\
         model: co-managed\n\
         services:\n  - ref: helpdesk\n\
         sla:\n  p1_response: 1h\n  p2_response: 4h\n  p3_response: next-business-day\n  incident_notification: 24h\n\
         # Before services are contracted, the client owns every CSF 2.0 outcome. Move each one to a\n\
         # service (services/) or an assignment as the contract says; `ctrlmap matrix` shows the result.\n\
         client_owned:\n",
    );
    for (i, c) in csf.controls.iter().enumerate() {
        if !csf.is_assignable(i) {
            continue;
        }
        let text: String = c
            .text
            .as_deref()
            .unwrap_or(&c.title)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let _ = writeln!(scope, "  - control: csf-2.0:{}   # {text}", c.id);
    }
    for sub in ["services", "scopes", "evidence"] {
        std::fs::create_dir_all(dir.join(sub)).with_context(|| format!("creating {}", dir.join(sub).display()))?;
    }
    crate::emit::output::write_atomic(&dir.join("ctrlmap.yaml"), CONFIG.as_bytes())?;
    crate::emit::output::write_atomic(&dir.join("services/helpdesk.yaml"), SERVICE.as_bytes())?;
    crate::emit::output::write_atomic(&dir.join("scopes/example-client.yaml"), scope.as_bytes())?;
    crate::emit::output::write_atomic(
        &dir.join("evidence/README.md"),
        b"Evidence files (reports, exports, signed policies) go here; scopes reference them by path.\n",
    )?;
    Ok(())
}
