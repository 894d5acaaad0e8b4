//! Text formats shared by reading (`load`, OSCAL import) and writing (`emit`): the YAML tree
//! that remembers positions (`yaml.rs`), the positions of values in a JSON text
//! (`json_position.rs`), and the identifiers ctrlmap writes into OSCAL and reads back
//! (`oscal_ids.rs`), and the template language of custom rules (`rule_template.rs`).
//!
//! May use: `model`.

pub mod json_position;
pub mod oscal_ids;
pub mod rule_template;
pub mod yaml;
