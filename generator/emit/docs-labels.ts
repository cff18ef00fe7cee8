/** A language of the docs: Chinese (the published pages' language) or English. */
export type Language = "zh" | "en";

/** The docs' languages, Chinese first as on BlueKing's own pages. */
export const LANGUAGES: readonly Language[] = ["zh", "en"];

/**
 * The only words the docs generator writes itself: section headings, table headers and yes/no, in both languages;
 * everything else on a page comes from the spec.
 */
export const LABELS = {
  requestUrl: { zh: "请求地址", en: "Request URL" },
  method: { zh: "请求方法", en: "Method" },
  backend: { zh: "CMDB 后端路由", en: "CMDB backend route" },
  description: { zh: "功能描述", en: "Description" },
  requestParams: { zh: "请求参数", en: "Request parameters" },
  commonParams: { zh: "通用参数", en: "Common parameters" },
  interfaceParams: { zh: "接口参数", en: "Interface parameters" },
  fieldsOf: { zh: "字段说明", en: "fields" },
  requestExample: { zh: "请求参数示例", en: "Request examples" },
  responseExample: { zh: "返回结果示例", en: "Response examples" },
  responseParams: { zh: "返回结果参数说明", en: "Response parameters" },
  validationOrder: { zh: "校验顺序", en: "Validation order" },
  errorCodes: { zh: "错误码", en: "Error codes" },
  innerErrorCodes: {
    zh: "内部错误码（仅出现在 1199011 的错误信息中）",
    en: "Inner codes (seen only inside a 1199011 message)",
  },
  fieldRules: { zh: "进程字段规则（x-cmdb-field-rules）", en: "Process field rules (x-cmdb-field-rules)" },
  bindInfoFields: { zh: "bind_info 行的字段", en: "bind_info row fields" },
  displayName: { zh: "错误信息中的名称", en: "Name in CMDB's messages" },
  maxBytes: { zh: "最大字节数（UTF-8，去除首尾空白后）", en: "Max bytes (UTF-8, trimmed)" },
  range: { zh: "取值范围", en: "Range" },
  pattern: { zh: "格式或取值", en: "Pattern or values" },
  lockRules: { zh: "模板锁定规则", en: "Template lock rules" },
  lockableFields: { zh: "可锁定字段", en: "Lockable fields" },
  bindInfo: { zh: "bind_info 行匹配", en: "How bind_info rows match" },
  ruleData: { zh: "规则数据（x-cmdb-template-lock）", en: "Rule data (x-cmdb-template-lock)" },
  workedExample: { zh: "示例", en: "Worked example" },
  differences: { zh: "与官方文档的差异", en: "Where the real CMDB differs from the published page" },
  operations: { zh: "接口", en: "Operations" },
  overview: { zh: "概述", en: "Overview" },
  field: { zh: "字段", en: "Field" },
  name: { zh: "名称", en: "Name" },
  type: { zh: "类型", en: "Type" },
  required: { zh: "必选", en: "Required" },
  text: { zh: "描述", en: "Description" },
  yes: { zh: "是", en: "Yes" },
  no: { zh: "否", en: "No" },
  deprecated: { zh: "已废弃。", en: "Deprecated." },
  step: { zh: "步骤", en: "Step" },
  code: { zh: "错误码", en: "Code" },
  when: { zh: "出现场景", en: "When it arises" },
  args: { zh: "参数", en: "Arguments" },
  layer: { zh: "来源", en: "Layer" },
  message: { zh: "错误信息", en: "Message" },
  messageZh: { zh: "中文信息", en: "Chinese message" },
  messageEn: { zh: "英文信息", en: "English message" },
  apis: { zh: "接口", en: "Operations" },
  alwaysLocked: { zh: "始终锁定", en: "Always locked" },
  rule: { zh: "规则", en: "Rule" },
  value: { zh: "取值", en: "Value" },
  processTemplate: { zh: "进程模板", en: "Process template" },
  request: { zh: "请求", en: "Request" },
  readBack: { zh: "回读结果", en: "Read back" },
  templateValue: { zh: "模板值", en: "Template value" },
  locked: { zh: "锁定", en: "Locked" },
  callerValue: { zh: "请求值", en: "Caller's value" },
  storedValue: { zh: "保存结果", en: "Stored value" },
  outcome: { zh: "结果", en: "Outcome" },
  ignored: { zh: "忽略（锁定）", en: "ignored (locked)" },
  taken: { zh: "采用（未锁定）", en: "taken (unlocked)" },
  cleared: { zh: "清空（null）", en: "cleared (null)" },
  dropped: { zh: "丢弃（无对应模板行）", en: "dropped (no template row)" },
  kept: { zh: "保持模板值", en: "template value kept" },
  topic: { zh: "项目", en: "Topic" },
  published: { zh: "官方文档", en: "Published page" },
  actual: { zh: "实际行为", en: "Real CMDB" },
  otherLanguage: { zh: "English", en: "中文" },
  typeOnSuccess: { zh: "成功时类型", en: "Type on success" },
  typeOnCode: { zh: "{code} 时类型", en: "Type on {code}" },
  typeOnOtherFailures: { zh: "其他失败时类型", en: "Type on other failures" },
  typeOnFailure: { zh: "失败时类型", en: "Type on failure" },
  routes: { zh: "两种调用方式", en: "Two routes" },
  route: { zh: "调用方式", en: "Route" },
  esbRoute: { zh: "ESB", en: "ESB" },
  gatewayRoute: { zh: "API 网关", en: "API gateway" },
  auth: { zh: "鉴权信息", en: "Auth" },
  inBody: { zh: "请求体", en: "in the body" },
  inHeader: { zh: "请求头", en: "header" },
  envelope: { zh: "响应体", en: "Response envelope" },
  frontDoorErrors: { zh: "入口自身的错误", en: "The front door's own errors" },
  generatedClient: { zh: "生成的客户端", en: "Generated client" },
  throughGateway: { zh: "经 API 网关调用", en: "Through the API gateway" },
  pathParams: { zh: "路径参数", en: "Path parameters" },
  bodyParams: { zh: "请求体参数", en: "Body parameters" },
  gatewayErrors: { zh: "网关错误码", en: "Gateway error codes" },
  status: { zh: "HTTP 状态码", en: "HTTP status" },
  codeName: { zh: "错误名称", en: "Code name" },
} as const satisfies Record<string, Record<Language, string>>;

/** The type-column headers of a response table: success, each failure code with its own type, other failures. */
export function variantHeaders(codes: readonly number[], language: Language): string[] {
  const other = codes.length > 0 ? LABELS.typeOnOtherFailures : LABELS.typeOnFailure;
  return [
    LABELS.typeOnSuccess[language],
    ...codes.map((code) => LABELS.typeOnCode[language].replace("{code}", String(code))),
    other[language],
  ];
}

/** A label in one language. */
export function label(key: keyof typeof LABELS, language: Language): string {
  return LABELS[key][language];
}
