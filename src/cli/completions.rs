//! `ctrlmap completions SHELL` and `ctrlmap man`: generated from the clap definition, so
//! they always list the commands and flags this binary has.

use super::Cli;
use anyhow::Result;
use clap::CommandFactory;

/// Print a shell completion script: `ctrlmap completions bash > /etc/bash_completion.d/ctrlmap`.
#[derive(clap::Args, Debug)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub fn completions(args: CompletionsArgs) -> Result<u8> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "ctrlmap", &mut script);
    crate::emit::terminal::print_raw(&script)?;
    Ok(0)
}

/// Print the man page (roff): `ctrlmap man > ctrlmap.1 && man ./ctrlmap.1`.
pub fn man() -> Result<u8> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    crate::emit::terminal::print_raw(&page)?;
    Ok(0)
}
