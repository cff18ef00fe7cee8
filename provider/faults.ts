/**
 * Deliberate deviations from the real CMDB, switched on one at a time with `serve --fault NAME`, so that the
 * checks can prove they catch each one. Every fault is a few lines at the place where the real rule lives.
 */

/** Every fault the reference CMDB can inject, in the order `serve --help` lists them. */
export const FAULT_NAMES = [
  "code-as-string",
  "result-code-mismatch",
  "http-400-on-business-error",
  "data-not-null-on-failure",
  "locked-scalar-overridden",
  "unmatched-bind-row-kept",
  "process-name-overridable",
  "no-rollback",
  "ids-reversed",
  "host-check-skipped",
  "instance-limit-ignored",
  "deleted-instance-still-listed",
  "locked-bind-port-overridden",
  "read-back-fails",
  "read-back-empty",
  "non-object-entry-500",
  "unlisted-code",
  "raw-value-error-unwrapped",
  "missing-process-info-tolerated",
  "string-length-in-characters",
  "earlier-duplicate-entry-not-decoded",
  "template-enable-null-false-on-update",
  "empty-bind-info-as-list",
  "bind-info-stored-trimmed",
  "raw-missing-fields-null",
  "host-ids-printed-plainly",
  "bind-ip-pattern-unanchored",
] as const;

/** The name of one injectable fault. */
export type FaultName = (typeof FAULT_NAMES)[number];

/** What each fault breaks, for `serve --help` and the reports that name it. */
export const FAULT_DESCRIPTIONS: Readonly<Record<FaultName, string>> = {
  "code-as-string": "every envelope carries `code` as a JSON string instead of an integer",
  "result-code-mismatch": "failed calls answer `result: true` beside their non-zero code",
  "http-400-on-business-error": "failed calls answer HTTP 400 instead of 200",
  "data-not-null-on-failure": "failed calls answer `data: {}` instead of null",
  "locked-scalar-overridden": "a caller value overrides a locked scalar field of a process template (§2.2)",
  "unmatched-bind-row-kept": "caller bind_info rows without a matching template row are appended, not dropped (§2.2)",
  "process-name-overridable": "a caller's bk_process_name renames a templated process (§2.2 always-locked)",
  "no-rollback": "instances created before a failing one in the same request remain (§0 all-or-nothing)",
  "ids-reversed": "a multi-instance create answers its new IDs in reverse request order",
  "host-check-skipped": "hosts outside the module are accepted (§1.2 step 8, 1110056)",
  "instance-limit-ignored": "more than 100 instances are accepted (§1.2 step 2, 1199035)",
  "deleted-instance-still-listed": "processes of a deleted service instance are still listed by list_process_instance",
  "locked-bind-port-overridden": "a caller's port overrides a locked bind_info port of a template row (§2.2)",
  "read-back-fails": "list_process_instance always answers an error envelope, so no created process can be observed",
  "read-back-empty": "list_process_instance always answers an empty list, as if no instance had processes",
  "non-object-entry-500":
    "a create whose instance or process entry is not an object answers HTTP 500 with an HTML page",
  "unlisted-code": "a body of the wrong JSON type answers 1199001, a code the spec does not list, instead of 1199000",
  "raw-value-error-unwrapped":
    "a bad process value on a module without a template answers its inner code (e.g. 1199006), not 1199011 (§1.3 A)",
  "missing-process-info-tolerated":
    "a processes entry without process_info is read as {} instead of failing 1199999 (§1.3)",
  "string-length-in-characters": "string limits count characters instead of UTF-8 bytes (§3.1)",
  "earlier-duplicate-entry-not-decoded":
    "of two entries for one template only the last is decoded, so an earlier malformed one passes (§1.3 B.3)",
  "template-enable-null-false-on-update":
    "a template row's null enable becomes false on the update path too, so the caller entry succeeds (§2.2)",
  "empty-bind-info-as-list":
    "a process made from a template without bind rows reads back bind_info [] instead of null (§2.1)",
  "bind-info-stored-trimmed": "bind_info values are stored trimmed instead of as sent (§3.3)",
  "raw-missing-fields-null": 'fields a module without a template did not get are null instead of "" / false (§1.3 A)',
  "host-ids-printed-plainly":
    "the 1110056 message lists host IDs as [11] instead of Go's [%!s(int64=11)] (§1.2 step 8)",
  "bind-ip-pattern-unanchored":
    "the bind IP rule's IPv6 half is not anchored, as before migration y3.10.202305110949 (§3.3)",
};

/** Tells whether a string names a fault. */
export function isFaultName(name: string): name is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(name);
}
