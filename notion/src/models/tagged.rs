//! Notion's "type-tagged payload" encoding, shared by blocks, property values, files and icons.
//!
//! Notion writes a variant as `{"type": "paragraph", "paragraph": {…}}`: the tag names the key
//! that holds the payload. serde's built-in enum representations cannot express that, and we also
//! want unknown tags to survive (Notion adds types without a version bump), so [`tagged_enum!`]
//! generates the enum plus an `Other` variant that keeps the raw payload.

use serde_json::{Map, Value};

/// Splits a tagged object into `(type, payload, remaining keys)`.
///
/// A missing payload key yields `Value::Null` (Notion omits it for a few empty payloads in
/// older versions); a missing `type` is an error because nothing could be interpreted.
pub(crate) fn split<E: serde::de::Error>(
    mut map: Map<String, Value>,
) -> Result<(String, Value, Map<String, Value>), E> {
    let type_name = match map.remove("type") {
        Some(Value::String(s)) => s,
        Some(_) => return Err(E::custom("`type` is not a string")),
        None => return Err(E::missing_field("type")),
    };
    let payload = map.remove(&type_name).unwrap_or(Value::Null);
    Ok((type_name, payload, map))
}

/// For `Option<Value>` fields whose *presence* matters: a present `null` reads as
/// `Some(Value::Null)` (and is written back), an absent key as `None` (with `#[serde(default)]`).
pub(crate) fn keep_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    use serde::Deserialize;
    Value::deserialize(d).map(Some)
}

/// For `Option<Option<T>>` fields: a present `null` reads as `Some(None)`, an absent key as
/// `None` (with `#[serde(default)]`), so "sent as null" and "not sent" stay apart.
pub(crate) fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    use serde::Deserialize;
    Option::<T>::deserialize(d).map(Some)
}

/// Generates a tagged-payload enum with an `Other { type_name, payload }` fallback.
///
/// A known tag whose payload does not match our model also lands in `Other` instead of failing
/// the whole response: one odd block must not make a page unreadable.
macro_rules! tagged_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident($ty:ty) = $tag:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub enum $name {
            $( $(#[$vmeta])* $variant($ty), )*
            /// A type this crate does not model (or a payload it could not read), kept verbatim.
            Other { type_name: String, payload: serde_json::Value },
        }

        impl $name {
            /// The `type` strings with a typed variant.
            pub const TYPE_NAMES: &'static [&'static str] = &[$($tag),*];

            /// Notion's `type` string for this value.
            pub fn type_name(&self) -> &str {
                match self {
                    $( $name::$variant(_) => $tag, )*
                    $name::Other { type_name, .. } => type_name,
                }
            }

            /// Builds the value from its tag and payload; unknown tags become `Other`.
            pub fn from_parts(type_name: String, payload: serde_json::Value) -> Self {
                match type_name.as_str() {
                    $( $tag => match serde_json::from_value::<$ty>(payload.clone()) {
                        Ok(v) => $name::$variant(v),
                        Err(_) => $name::Other { type_name, payload },
                    }, )*
                    _ => $name::Other { type_name, payload },
                }
            }

            /// The payload as JSON (what sits under the `type` key).
            pub fn payload_value(&self) -> Result<serde_json::Value, serde_json::Error> {
                match self {
                    $( $name::$variant(v) => serde_json::to_value(v), )*
                    $name::Other { payload, .. } => Ok(payload.clone()),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("type", self.type_name())?;
                match self {
                    $( $name::$variant(v) => map.serialize_entry($tag, v)?, )*
                    $name::Other { type_name, payload } => map.serialize_entry(type_name, payload)?,
                }
                map.end()
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let map = serde_json::Map::<String, serde_json::Value>::deserialize(deserializer)?;
                let (type_name, payload, _rest) = $crate::models::tagged::split::<D::Error>(map)?;
                Ok($name::from_parts(type_name, payload))
            }
        }
    };
}

pub(crate) use tagged_enum;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_requires_type() {
        let map: Map<String, Value> = serde_json::from_str(r#"{"x":1}"#).unwrap();
        assert!(split::<serde_json::Error>(map).is_err());
        let map: Map<String, Value> = serde_json::from_str(r#"{"type":"a","a":1,"b":2}"#).unwrap();
        let (t, p, rest) = split::<serde_json::Error>(map).unwrap();
        assert_eq!((t.as_str(), p, rest.len()), ("a", Value::from(1), 1));
    }
}
