//! The template language custom rules are written in: minijinja, strict about fields that do
//! not exist, with a fuel budget and a recursion limit; and the checks `load` runs on a rule's
//! `when` expression and `message` template, with the very engine `assess` evaluates them in.
//!
//! May use: nothing else of ctrlmap.

/// Fuel for one evaluation of a custom rule's `when` or one `message` (minijinja charges
/// about one unit per instruction and one per 64 bytes produced): thousands of times what a
/// real rule needs, and a loop or a doubling string runs out of it in milliseconds.
pub const RULE_FUEL: u64 = 200_000;

/// Deepest recursion (macros, nested blocks) a rule's templates may use.
pub const RULE_RECURSION: usize = 64;

/// The engine that evaluates custom rules: a field that does not exist is an error, never
/// a silent `false`; every evaluation has a fuel budget and a recursion limit.
pub fn rule_environment() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_fuel(Some(RULE_FUEL));
    env.set_recursion_limit(RULE_RECURSION);
    env
}

/// Check that a custom rule's expression compiles; the error text names what is wrong.
pub fn check_expression(expr: &str) -> Result<(), String> {
    let env = rule_environment();
    env.compile_expression(expr).map(|_| ()).map_err(|e| e.to_string())
}

/// Check that a rule's `message` template compiles.
pub fn check_message(template: &str) -> Result<(), String> {
    let env = rule_environment();
    env.template_from_str(template).map(|_| ()).map_err(|e| e.to_string())
}
