//! Closed sets of stored keys (a kind, a category, a status) written once: the variants,
//! the key each is stored and sent as, and a parse error that lists every key, so a person
//! who typed a wrong one learns the right ones.

/// Declares a `Copy` enum whose variants are stored as the given keys, with `ALL`,
/// `as_str`, `FromStr` (the error names `field` and lists the keys) and serde as the key.
macro_rules! keyed {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident in $field:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $key:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $key)] $variant ),+
        }

        impl $name {
            /// Every value, in the order people read them.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The key it is stored and sent as.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $key),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| {
                        let keys: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                        format!("{} is one of {}", $field, keys.join(", "))
                    })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
