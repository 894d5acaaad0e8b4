//! The workspace as the engine reads it: plain data, built by `load`.

use super::catalog::Framework;
use super::package::{Inherited, Package};
use super::policy::Pack;
use super::{Config, Crosswalk, Scope, Service, ThirdParty};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Everything a workspace holds once loaded and checked: the catalogs (indexed), crosswalks,
/// services, policy packs, config and scopes, with the files they came from.
#[derive(Debug, Default)]
pub struct Workspace {
    /// Folder of the workspace (absolute or as given).
    pub root: PathBuf,
    /// Shared: the built-in catalogs are parsed once per process and every workspace holds
    /// them without a copy.
    pub frameworks: BTreeMap<String, std::sync::Arc<Framework>>,
    pub crosswalks: Vec<Crosswalk>,
    pub services: BTreeMap<String, Service>,
    /// The MSP's engagement packages (`packages/`), by id.
    pub packages: BTreeMap<String, Package>,
    /// What a scope naming each package inherits (its chain flattened), by package id.
    pub inherited: BTreeMap<String, std::sync::Arc<Inherited>>,
    /// Third parties declared once for the workspace (`parties/`), by id.
    pub parties: BTreeMap<String, ThirdParty>,
    /// Scopes sorted by id.
    pub scopes: Vec<Scope>,
    pub config: Config,
    /// Policy packs by id (built-in, then the workspace's, which replace by id).
    pub packs: BTreeMap<String, Pack>,
    /// Display path of each workspace file read, with its SHA-256.
    pub inputs: BTreeMap<String, String>,
    /// Every workspace file found (YAML of every folder, the config), by display path, with
    /// the path to open it by (the two differ when a name is not UTF-8).
    pub files: BTreeMap<String, PathBuf>,
}

impl Workspace {
    pub fn framework(&self, id: &str) -> Option<&Framework> {
        self.frameworks.get(id).map(|f| &**f)
    }

    /// The baseline framework (catalog `applies_to.baseline`): it applies to every client,
    /// and the crosswalks map the regulations onto its outcomes (CSF 2.0).
    pub fn hub(&self) -> Option<&Framework> {
        self.frameworks
            .values()
            .filter(|fw| fw.catalog.applies_to.as_ref().is_some_and(|a| a.baseline.is_some()))
            .min_by_key(|fw| {
                (
                    fw.catalog.applies_to.as_ref().and_then(|a| a.order),
                    fw.id().to_string(),
                )
            })
            .map(|fw| &**fw)
    }
}
