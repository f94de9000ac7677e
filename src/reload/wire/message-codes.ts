/**
 * RFC 6940 §14.8 "RELOAD Message Codes" registry, plus RFC 7851 §9 (PathTrack).
 * Requests are odd, answers are the request code + 1 (§6.3.3); 0xFFFF is `error`.
 */
export const MessageCode = {
  invalidMessageCode: 0x0,
  probe_req: 0x1,
  probe_ans: 0x2,
  attach_req: 0x3,
  attach_ans: 0x4,
  store_req: 0x7,
  store_ans: 0x8,
  fetch_req: 0x9,
  fetch_ans: 0xa,
  find_req: 0xd,
  find_ans: 0xe,
  join_req: 0xf,
  join_ans: 0x10,
  leave_req: 0x11,
  leave_ans: 0x12,
  update_req: 0x13,
  update_ans: 0x14,
  route_query_req: 0x15,
  route_query_ans: 0x16,
  ping_req: 0x17,
  ping_ans: 0x18,
  stat_req: 0x19,
  stat_ans: 0x1a,
  app_attach_req: 0x1d,
  app_attach_ans: 0x1e,
  config_update_req: 0x21,
  config_update_ans: 0x22,
  exp_a_req: 0x23,
  exp_a_ans: 0x24,
  exp_b_req: 0x25,
  exp_b_ans: 0x26,
  /** RFC 7851 §9.3 */
  path_track_req: 0x27,
  /** RFC 7851 §9.3 */
  path_track_ans: 0x28,
  error: 0xffff,
} as const;
export type MessageCodeName = keyof typeof MessageCode;

const messageCodeNames = new Map<number, MessageCodeName>(
  (Object.entries(MessageCode) as [MessageCodeName, number][]).map(([k, v]) => [v, k]),
);

/** The registry name of a message code, or undefined for an unassigned code. */
export function messageCodeName(code: number): MessageCodeName | undefined {
  return messageCodeNames.get(code);
}

/** RFC 6940 §6.3.3: "The message_code for requests is odd and for answers is even". 0xFFFF is an error answer. */
export function isRequestCode(code: number): boolean {
  return code !== MessageCode.error && code % 2 === 1;
}

/** The answer code that goes with a request code (§6.3.3: request + 1). */
export function answerCodeFor(requestCode: number): number {
  return requestCode + 1;
}

/**
 * RFC 6940 §14.9 "RELOAD Error Code" registry, plus RFC 7851 §9.4 (diagnostics).
 */
export const ErrorCode = {
  invalidErrorCode: 0x0,
  Error_Forbidden: 0x2,
  Error_Not_Found: 0x3,
  Error_Request_Timeout: 0x4,
  Error_Generation_Counter_Too_Low: 0x5,
  Error_Incompatible_with_Overlay: 0x6,
  Error_Unsupported_Forwarding_Option: 0x7,
  Error_Data_Too_Large: 0x8,
  Error_Data_Too_Old: 0x9,
  Error_TTL_Exceeded: 0xa,
  Error_Message_Too_Large: 0xb,
  Error_Unknown_Kind: 0xc,
  Error_Unknown_Extension: 0xd,
  Error_Response_Too_Large: 0xe,
  Error_Config_Too_Old: 0xf,
  Error_Config_Too_New: 0x10,
  Error_In_Progress: 0x11,
  Error_Exp_A: 0x12,
  Error_Exp_B: 0x13,
  Error_Invalid_Message: 0x14,
  /** RFC 7851 §9.4 */
  Error_Underlay_Destination_Unreachable: 0x15,
  Error_Underlay_Time_Exceeded: 0x16,
  Error_Message_Expired: 0x17,
  Error_Upstream_Misrouting: 0x18,
  Error_Loop_Detected: 0x19,
  Error_TTL_Hops_Exceeded: 0x1a,
} as const;
export type ErrorCodeName = keyof typeof ErrorCode;

const errorCodeNames = new Map<number, ErrorCodeName>(
  (Object.entries(ErrorCode) as [ErrorCodeName, number][]).map(([k, v]) => [v, k]),
);

/** The registry name of an error code, or undefined for an unassigned one. */
export function errorCodeName(code: number): ErrorCodeName | undefined {
  return errorCodeNames.get(code);
}

/** RFC 6940 §14.6 Data Kind-ID registry, plus RFC 7904 §9.1 and RFC 7374 §10.3. */
export const KindId = {
  INVALID: 0x0,
  /** RFC 7904 §7 */
  SIP_REGISTRATION: 0x1,
  TURN_SERVICE: 0x2,
  CERTIFICATE_BY_NODE: 0x3,
  CERTIFICATE_BY_USER: 0x10,
  /** RFC 7374 §6 */
  REDIR: 0x104,
} as const;
export type KindIdName = keyof typeof KindId;

/** RFC 6940 §14.14 message extensions registry, plus RFC 7851 §9.5 and our own. */
export const MessageExtensionType = {
  invalidMessageExtensionType: 0x0,
  exp_ext: 0x1,
  /** RFC 7851 §4.2 */
  Diagnostic_Ping: 0x2,
  /** RFC 7363 §9.1 */
  self_tuning_data: 0x3,
} as const;

/** RFC 6940 §14.12 forwarding options registry. */
export const ForwardingOptionType = {
  invalidForwardingOption: 0,
  exp_forward: 1,
} as const;
