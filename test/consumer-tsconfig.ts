/**
 * The tsconfig of a consumer project as strict as this repo's own, for tests that type-check code a user would
 * write against the generated client or the installed package; `types` lists the ambient type packages it sees.
 */
export function strictConsumerTsconfig(types: string[]): object {
  return {
    compilerOptions: {
      target: "ES2022",
      lib: ["ES2022", "DOM"],
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      noImplicitOverride: true,
      noImplicitReturns: true,
      noFallthroughCasesInSwitch: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      noEmit: true,
      types,
    },
    include: ["src"],
  };
}
