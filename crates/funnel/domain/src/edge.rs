//! Edges: which step comes next, decided by conditions on what the visitor just did.

use crate::{DomainError, EdgeId, FunnelId, StepId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A directed edge between two steps of one funnel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    /// Row id.
    pub id: EdgeId,
    /// Owning funnel.
    pub funnel_id: FunnelId,
    /// Source step.
    pub from_step: StepId,
    /// Target step.
    pub to_step: StepId,
    /// When the edge applies.
    pub condition: Condition,
    /// Lower is tried first; ties by id.
    pub priority: i64,
}

/// What it takes to create an edge.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewEdge {
    /// Source step.
    pub from_step: StepId,
    /// Target step.
    pub to_step: StepId,
    /// When the edge applies.
    #[serde(default)]
    pub condition: Condition,
    /// Lower is tried first.
    #[serde(default)]
    pub priority: i64,
}

/// When an edge applies.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Condition {
    /// Always.
    #[default]
    Always,
    /// A form was submitted (a given one, or any).
    FormSubmitted {
        /// The form block's id; `None` matches any form.
        #[serde(default)]
        form: Option<String>,
    },
    /// An event with this name occurred on the source step in this visit.
    EventOccurred {
        /// Event name.
        name: String,
    },
    /// A submitted value compares true.
    Property {
        /// Form field name.
        field: String,
        /// Comparison.
        op: CompareOp,
        /// Right-hand side (for `in`, comma-separated).
        value: String,
    },
    /// The contact carries a label.
    Label {
        /// The label.
        label: String,
    },
}

/// Comparisons for [`Condition::Property`].
#[derive(Clone, Copy, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompareOp {
    /// Equal text.
    Equals,
    /// Different text.
    NotEquals,
    /// Substring.
    Contains,
    /// One of a comma-separated list.
    In,
    /// Numerically greater.
    Gt,
    /// Numerically less.
    Lt,
}

/// What the visitor just did, for edge evaluation.
#[derive(Clone, Debug, Default)]
pub struct RoutingContext<'a> {
    /// The submitted form's block id, if a form was submitted.
    pub form: Option<&'a str>,
    /// Names of events that occurred.
    pub events: &'a [String],
    /// Submitted values.
    pub values: Option<&'a BTreeMap<String, String>>,
    /// The contact's labels.
    pub labels: &'a [String],
}

impl Condition {
    /// Checks the condition's own fields.
    pub fn validate(&self) -> Result<(), DomainError> {
        match self {
            Self::EventOccurred { name } => name.parse::<crate::EventName>().map(|_| ()),
            Self::Property { field, .. } if field.is_empty() => Err(DomainError::invalid("condition.field", "must not be empty")),
            Self::Label { label } if label.is_empty() => Err(DomainError::invalid("condition.label", "must not be empty")),
            _ => Ok(()),
        }
    }

    /// Whether the condition holds.
    pub fn holds(&self, cx: &RoutingContext<'_>) -> bool {
        match self {
            Self::Always => true,
            Self::FormSubmitted { form } => match (form, cx.form) {
                (_, None) => false,
                (None, Some(_)) => true,
                (Some(want), Some(got)) => want == got,
            },
            Self::EventOccurred { name } => cx.events.iter().any(|e| e == name),
            Self::Label { label } => cx.labels.iter().any(|l| l == label),
            Self::Property { field, op, value } => {
                let Some(v) = cx.values.and_then(|m| m.get(field)) else {
                    return false;
                };
                let num = |s: &str| s.trim().parse::<f64>().ok();
                match op {
                    CompareOp::Equals => v == value,
                    CompareOp::NotEquals => v != value,
                    CompareOp::Contains => v.contains(value.as_str()),
                    CompareOp::In => value.split(',').any(|x| x.trim() == v),
                    CompareOp::Gt => matches!((num(v), num(value)), (Some(a), Some(b)) if a > b),
                    CompareOp::Lt => matches!((num(v), num(value)), (Some(a), Some(b)) if a < b),
                }
            }
        }
    }
}

/// The first edge out of `from` (by priority, then id) whose condition holds.
pub fn next_step(edges: &[Edge], from: StepId, cx: &RoutingContext<'_>) -> Option<StepId> {
    let mut out: Vec<&Edge> = edges.iter().filter(|e| e.from_step == from).collect();
    out.sort_by_key(|e| (e.priority, e.id));
    out.into_iter().find(|e| e.condition.holds(cx)).map(|e| e.to_step)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(id: i64, to: i64, priority: i64, condition: Condition) -> Edge {
        Edge { id: EdgeId(id), funnel_id: FunnelId(1), from_step: StepId(1), to_step: StepId(to), condition, priority }
    }

    #[test]
    fn first_matching_edge_by_priority_wins() {
        let edges = [
            edge(1, 9, 10, Condition::Always),
            edge(2, 3, 0, Condition::Property { field: "plan".into(), op: CompareOp::In, value: "pro, max".into() }),
            edge(3, 4, 5, Condition::FormSubmitted { form: Some("f1".into()) }),
        ];
        let values: BTreeMap<_, _> = [("plan".to_string(), "max".to_string())].into();
        let cx = RoutingContext { form: Some("f1"), values: Some(&values), ..Default::default() };
        assert_eq!(next_step(&edges, StepId(1), &cx), Some(StepId(3)));
        let values: BTreeMap<_, _> = [("plan".to_string(), "free".to_string())].into();
        let cx = RoutingContext { form: Some("f1"), values: Some(&values), ..Default::default() };
        assert_eq!(next_step(&edges, StepId(1), &cx), Some(StepId(4)));
        assert_eq!(next_step(&edges, StepId(1), &RoutingContext::default()), Some(StepId(9)));
        assert_eq!(next_step(&edges, StepId(2), &RoutingContext::default()), None);
    }

    #[test]
    fn numeric_comparisons_need_numbers() {
        let c = Condition::Property { field: "n".into(), op: CompareOp::Gt, value: "10".into() };
        let v: BTreeMap<_, _> = [("n".to_string(), "abc".to_string())].into();
        assert!(!c.holds(&RoutingContext { values: Some(&v), ..Default::default() }));
        let v: BTreeMap<_, _> = [("n".to_string(), "11".to_string())].into();
        assert!(c.holds(&RoutingContext { values: Some(&v), ..Default::default() }));
    }
}
