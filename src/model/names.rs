//! Fixed sets of names (entry kinds, statuses, roles, incident types), each
//! defined once: `name_table!` makes the enum, its `ALL` list, `as_str`,
//! `Display`, `FromStr` (case-insensitive, with aliases), serde as the name,
//! and clap's `ValueEnum` with each variant's doc line as its help. Adding a
//! variant is one edit; every `match` on the enum then tells the compiler
//! what else needs it.

/// See the module documentation. `what` names the set in error messages.
macro_rules! name_table {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($what:literal) {
            $(
                #[doc = $doc:literal]
                $variant:ident = $text:literal $(| $alias:literal)*,
            )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $(
                #[doc = $doc]
                $variant,
            )+
        }

        impl $name {
            /// Every name, in definition order.
            pub const ALL: [$name; [$($text),+].len()] = [$($name::$variant),+];

            /// The name as written in files and on the command line.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// Every name, for error messages.
            pub fn names() -> Vec<String> {
                $name::ALL.iter().map(|v| v.as_str().to_string()).collect()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::error::Error;

            fn from_str(s: &str) -> Result<Self, crate::error::Error> {
                match s.trim().to_ascii_lowercase().as_str() {
                    $($text $(| $alias)* => Ok($name::$variant),)+
                    _ => Err(crate::error::Error::UnknownName {
                        what: $what,
                        name: s.to_string(),
                        valid: $name::names(),
                    }),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                // Parsed inside the deserializer's call, so that an unknown
                // name is reported at its line in the file.
                struct Visitor;
                impl serde::de::Visitor<'_> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(f, "a {}", $what)
                    }
                    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<$name, E> {
                        text.parse().map_err(E::custom)
                    }
                }
                deserializer.deserialize_str(Visitor)
            }
        }

        impl clap::ValueEnum for $name {
            fn value_variants<'a>() -> &'a [Self] {
                &$name::ALL
            }

            fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
                let value = match self {
                    $($name::$variant => clap::builder::PossibleValue::new($text)
                        .help($doc.trim().trim_end_matches('.'))
                        $(.alias($alias))*,)+
                };
                Some(value)
            }
        }
    };
}

pub(crate) use name_table;

#[cfg(test)]
mod tests {
    use crate::model::incident::{IncidentType, Role, Status};
    use crate::model::timeline::EntryKind;

    fn round_trips<T>(all: &[T])
    where
        T: Copy + PartialEq + std::fmt::Debug + std::fmt::Display + std::str::FromStr,
        T: serde::Serialize + serde::de::DeserializeOwned + clap::ValueEnum,
    {
        for value in all {
            let name = value.to_string();
            assert_eq!(name.parse::<T>().ok(), Some(*value));
            assert_eq!(name.to_uppercase().parse::<T>().ok(), Some(*value));
            let json = serde_json::to_string(value).unwrap();
            assert_eq!(json, format!("\"{name}\""));
            assert_eq!(serde_json::from_str::<T>(&json).unwrap(), *value);
            let possible = value.to_possible_value().unwrap();
            assert_eq!(possible.get_name(), name);
            assert!(possible.get_help().is_some(), "{name} has no help");
        }
    }

    #[test]
    fn every_name_reads_back_through_every_door() {
        round_trips(&EntryKind::ALL);
        round_trips(&Status::ALL);
        round_trips(&Role::ALL);
        round_trips(&IncidentType::ALL);
    }

    #[test]
    fn aliases_and_unknown_names() {
        assert_eq!("IC".parse::<Role>().unwrap(), Role::Commander);
        assert_eq!("support-lead".parse::<Role>().unwrap(), Role::Support);
        let err = "boss".parse::<Role>().unwrap_err().to_string();
        assert_eq!(
            err,
            "unknown role `boss`; expected one of: commander, support, scribe"
        );
        assert!(serde_json::from_str::<Status>("\"done\"").is_err());
    }
}
