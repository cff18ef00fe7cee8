import { createRequire } from "node:module";
import type * as TsMorph from "ts-morph";
import type {
  FunctionDeclarationStructure,
  InterfaceDeclarationStructure,
  SourceFileStructure,
  StatementStructures,
  TypeAliasDeclarationStructure,
} from "ts-morph";
import type { GeneratedFile } from "../generated-file.ts";
import type { ErrorCodeModel, GatewayOperationModel, OperationModel, SpecModel } from "../model/spec-model.ts";
import { CLIENT_FILE, TYPES_FILE } from "./file-names.ts";
import { GENERATED_HEADER } from "./header.ts";

// Loaded through `require`, like openapi-typescript in types.ts: an ESM `import` under tsx costs about a second.
const { IndentationText, Node, NewLineKind, Project, QuoteKind, StructureKind } = createRequire(import.meta.url)(
  "ts-morph",
) as typeof TsMorph;

/** The specifier the client imports the types by: `.js`, so it resolves under NodeNext and bundlers alike. */
const TYPES_SPECIFIER = `./${TYPES_FILE.replace(/\.ts$/, ".js")}`;

/** The line between the part generated from the spec and the runtime copied in after it. */
export const RUNTIME_BANNER =
  "// The client runtime below is copied from cmdb-contract's generator/runtime/client-runtime.ts; only the part\n" +
  "// above depends on the spec.";

/**
 * Emits `client.gen.ts`: the part that depends on the spec (the auth type, the error-code union, one typed method per
 * operation, `createCmdbClient`), built from ts-morph structures in an in-memory project, followed by the client
 * runtime copied from its source (`runtime`, the text of generator/runtime/client-runtime.ts).
 * @see DESIGN.md "Generated client"
 */
export function emitClient(model: SpecModel, runtime: string): GeneratedFile {
  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: {
      indentationText: IndentationText.TwoSpaces,
      newLineKind: NewLineKind.LineFeed,
      quoteKind: QuoteKind.Double,
      useTrailingCommas: true,
    },
  });
  const file = project.createSourceFile(CLIENT_FILE, buildClientStructure(model));
  const contents = [GENERATED_HEADER, file.getFullText(), `${RUNTIME_BANNER}\n`, inlineRuntime(project, runtime)].join(
    "\n",
  );
  return { path: CLIENT_FILE, contents };
}

/**
 * The runtime's text as it goes into the client: without its imports (the spec-dependent names it imports are
 * declared above it) and with `export` dropped from every declaration its JSDoc marks `@internal`.
 */
function inlineRuntime(project: TsMorph.Project, runtime: string): string {
  const file = project.createSourceFile("client-runtime.ts", runtime, { overwrite: true });
  for (const declaration of file.getImportDeclarations()) declaration.remove();
  for (const statement of file.getStatements()) {
    const internal =
      Node.isJSDocable(statement) &&
      statement.getJsDocs().some((doc) => doc.getTags().some((tag) => tag.getTagName() === "internal"));
    if (internal && Node.isExportable(statement)) statement.setIsExported(false);
  }
  const first = file.getStatements()[0];
  const text = file.getFullText();
  // The runtime's opening comment is about the repository's file, not the generated one.
  return `${text.slice(first ? first.getStart(true) : text.length).trimEnd()}\n`;
}

/** The spec-dependent part of the client file as one ts-morph structure, in a fixed order. */
function buildClientStructure(model: SpecModel): SourceFileStructure {
  const statements: StatementStructures[] = [
    {
      kind: StructureKind.ImportDeclaration,
      isTypeOnly: true,
      moduleSpecifier: TYPES_SPECIFIER,
      namedImports: ["components"],
    },
    {
      kind: StructureKind.TypeAlias,
      name: "CmdbAuth",
      isExported: true,
      type: schemaType(model.authSchema),
      docs: [
        `The BlueKing common args: merged into every request body on the ESB route, sent as the \`X-Bkapi-Authorization\` header on the API gateway route; ${listFields(model.secretFields, ", ", " and ")} never appear in an error.\n` +
          `蓝鲸通用参数：ESB 路由合并到每个请求体中，API 网关路由放在 \`X-Bkapi-Authorization\` 请求头中；${listFields(model.secretFields, "、", " 与 ")} 不会出现在任何错误中。`,
      ],
    },
    {
      kind: StructureKind.TypeAlias,
      name: "CmdbPermission",
      isExported: true,
      type: `${schemaType(model.envelopeSchema)}["permission"]`,
      docs: ["The envelope's `permission`: what to apply for on a 9900403 denial, null otherwise."],
    },
    buildErrorCodes(model.errorCodes),
    {
      kind: StructureKind.TypeAlias,
      name: "CmdbErrorCode",
      isExported: true,
      type: "keyof CmdbErrorCodes",
      docs: ["Every error code the spec lists (`x-cmdb-error-codes`)."],
    },
    {
      kind: StructureKind.TypeAlias,
      name: "CmdbOperation",
      isExported: true,
      type: model.operations.map((o) => JSON.stringify(o.operationId)).join(" | "),
      docs: ["The name of a client method, as errors report it."],
    },
    ...model.operations.flatMap(buildOperationTypes),
    buildClientInterface(model.operations),
    buildCreateClient(model),
  ];
  return { kind: StructureKind.SourceFile, statements };
}

function buildErrorCodes(errorCodes: readonly ErrorCodeModel[]): InterfaceDeclarationStructure {
  return {
    kind: StructureKind.Interface,
    name: "CmdbErrorCodes",
    isExported: true,
    docs: [
      "The error codes of `x-cmdb-error-codes`, each mapped to its constant name; hover a code to read when it happens.",
    ],
    properties: errorCodes.map((e) => ({
      name: String(e.code),
      isReadonly: true,
      type: JSON.stringify(e.name),
      docs: [
        [
          `${e.name} (${e.layer}): ${e.when.en}`,
          e.when.zh,
          `${e.message.zh} / ${e.message.en}`,
          `Operations: ${e.operations.join(", ")}.`,
        ]
          .filter(Boolean)
          .join("\n"),
      ],
    })),
  };
}

/** `CreateServiceInstanceParams` and `CreateServiceInstanceData`: the method's argument and resolved value. */
function buildOperationTypes(operation: OperationModel): TypeAliasDeclarationStructure[] {
  const typeName = pascalCase(operation.operationId);
  return [
    {
      kind: StructureKind.TypeAlias,
      name: `${typeName}Params`,
      isExported: true,
      type: operation.paramsSchemas.map(schemaType).join(" & "),
      docs: [`The interface parameters of \`${operation.apiName}\`, without the auth fields the client adds.`],
    },
    {
      kind: StructureKind.TypeAlias,
      name: `${typeName}Data`,
      isExported: true,
      // openapi-typescript makes `data` optional in an allOf branch; a success envelope always has it.
      type: `Exclude<${schemaType(operation.successSchema)}["data"], undefined>`,
      docs: [`The \`data\` of a successful \`${operation.apiName}\` envelope.`],
    },
  ];
}

function buildClientInterface(operations: readonly OperationModel[]): InterfaceDeclarationStructure {
  return {
    kind: StructureKind.Interface,
    name: "CmdbClient",
    isExported: true,
    docs: ["One method per operation of the spec; each resolves to the envelope's `data` or throws a `CmdbError`."],
    methods: operations.map((operation) => {
      const typeName = pascalCase(operation.operationId);
      return {
        name: operation.operationId,
        parameters: [
          { name: "params", type: `${typeName}Params` },
          { name: "options", hasQuestionToken: true, type: "CmdbRequestOptions" },
        ],
        returnType: `Promise<${typeName}Data>`,
        docs: [describeOperation(operation)],
      };
    }),
  };
}

/** The JSDoc of one method: the spec's summary and description in English and Chinese, the route and the throws. */
function describeOperation(operation: OperationModel): string {
  const { summary, description } = operation;
  const paragraphs = [
    [summary.en, summary.zh].filter(Boolean).join("\n"),
    description.en,
    description.zh,
    `\`${operation.method.toUpperCase()} ${operation.path}\` (ESB \`${operation.apiName}\`)` +
      (operation.gateway ? `, or \`${gatewayRoute(operation.gateway)}\` on the API gateway (\`route: "apigw"\`)` : "") +
      "; never retried.",
  ].filter(Boolean);
  const codes = operation.errorCodes.join(", ");
  const tags = [
    "@param params - The interface parameters; the client adds the auth fields (ESB: the body; gateway: a header).",
    "@param options - An `AbortSignal`, a timeout or headers for this call.",
    "@returns The envelope's `data`.",
    `@throws {@link CmdbApiError} when the envelope (ESB or native) has \`result: false\`${codes ? `; its \`code\` is one of ${codes}` : ""}.`,
    ...(operation.gateway
      ? ["@throws {@link CmdbGatewayError} when the API gateway answers an error of its own."]
      : []),
    "@throws {@link CmdbHttpError} on a non-2xx status, a body that is not JSON or an envelope of the wrong shape.",
    "@throws {@link CmdbTimeoutError} when no answer arrives within `timeoutMs`.",
  ];
  return [...paragraphs, tags.join("\n")].join("\n\n");
}

function buildCreateClient(model: SpecModel): FunctionDeclarationStructure {
  const secrets = model.secretFields.map((field) => `options.auth.${field}`).join(", ");
  return {
    kind: StructureKind.Function,
    name: "createCmdbClient",
    isExported: true,
    docs: [
      'Creates a CMDB client over ESB (`route: "esb"`, the default; auth merged into every body) or the BlueKing API\n' +
        'gateway (`route: "apigw"`; auth in the `X-Bkapi-Authorization` header): one typed method per operation, the same\n' +
        "on both routes.\n" +
        '创建 CMDB 客户端，经 ESB（默认，通用参数合并到请求体）或蓝鲸 API 网关（`route: "apigw"`，通用参数放在\n' +
        "`X-Bkapi-Authorization` 请求头中）调用：每个接口一个类型化方法，两种路由相同。",
    ],
    parameters: [{ name: "options", type: "CmdbClientOptions" }],
    returnType: "CmdbClient",
    statements: [
      `const call = createCaller(options, [${secrets}]);`,
      (writer) => {
        writer.write("return ").inlineBlock(() => {
          for (const operation of model.operations) {
            const typeName = pascalCase(operation.operationId);
            const apigw = operation.gateway ? `, ${JSON.stringify(gatewayRoute(operation.gateway))}` : "";
            writer.writeLine(
              `${operation.operationId}: (params, request) => call<${typeName}Data>(${JSON.stringify(operation.operationId)}, ${JSON.stringify(operation.path)}, params, request${apigw}),`,
            );
          }
        });
        writer.write(";");
      },
    ],
  };
}

/** `DELETE /api/v3/deletemany/proc/service_instance`: the gateway route as the runtime reads it. */
function gatewayRoute(gateway: GatewayOperationModel): string {
  return `${gateway.method.toUpperCase()} ${gateway.path}`;
}

function schemaType(name: string): string {
  return `components["schemas"][${JSON.stringify(name)}]`;
}

/** `createServiceInstance` → `CreateServiceInstance`. */
function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** `a`, `b` and `c` (or `a`、`b` 与 `c`): field names as code, the last joined by `last`. */
function listFields(fields: readonly string[], separator: string, last: string): string {
  const names = fields.map((field) => `\`${field}\``);
  return names.length < 2 ? names.join("") : `${names.slice(0, -1).join(separator)}${last}${names.at(-1)}`;
}
