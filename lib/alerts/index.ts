export {
  createAlertRuleManager,
  buildAlertRule,
  DEFAULT_RULE_NAMESPACE,
  DEFAULT_RULE_NAME,
  DEFAULT_RULE_GROUP,
  RULE_SELECTOR_LABELS,
  PROM_QUERY_MAX_BYTES,
  type AlertRuleManager,
  type AlertRuleManagerOptions,
  type AlertRuleChange,
  type ReloadOutcome,
  type ServiceAlert,
  type ServiceAlertEvent,
} from "./rules";
export { fireServiceAlert, firingPayload, alertFingerprint, type FireServiceAlertInput } from "./simulate";
