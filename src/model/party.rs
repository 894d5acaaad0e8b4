//! [`Party`]: who a duty is written for (the MSP, the client or a declared third party), read,
//! written and ordered as the ids users write.

use serde::Serialize;

/// Who a duty is written for: the MSP, the client, or a third party the scope declares (by
/// its `id`). Read and written as the ids users write (`msp`, `client`, `ehr-vendor`), and
/// ordered as those ids are, so every list and table keeps its order.
#[derive(Debug, Clone)]
pub enum Party {
    Msp,
    Client,
    Third(std::sync::Arc<str>),
}

impl Party {
    pub fn parse(id: &str) -> Party {
        match id {
            "msp" => Party::Msp,
            "client" => Party::Client,
            other => Party::Third(other.into()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Party::Msp => "msp",
            Party::Client => "client",
            Party::Third(id) => id,
        }
    }

    /// A declared third party (neither the MSP nor the client).
    pub fn is_third(&self) -> bool {
        matches!(self, Party::Third(_))
    }
}

// Equality, hashing and order are those of the id, so a `Party` key is found by its id
// (`Borrow<str>`).
impl PartialEq for Party {
    fn eq(&self, other: &Party) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Party {}

impl std::hash::Hash for Party {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.as_str().hash(h)
    }
}

impl Ord for Party {
    fn cmp(&self, other: &Party) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for Party {
    fn partial_cmp(&self, other: &Party) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

// A party reads as its id wherever an id is read (`&Party` coerces to `&str`).
impl std::ops::Deref for Party {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Party {
    fn from(id: &str) -> Party {
        Party::parse(id)
    }
}

impl From<String> for Party {
    fn from(id: String) -> Party {
        Party::parse(&id)
    }
}

impl std::fmt::Display for Party {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Party {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::borrow::Borrow<str> for Party {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for Party {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}
