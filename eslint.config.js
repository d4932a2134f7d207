// Lint: typescript-eslint's recommended rules, plus the one architectural rule that matters:
// the pure core (parsers/, reconcile/) never imports an AWS SDK.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: [".scratch/**", "dist/**", "node_modules/**", "cdk.out/**", "test-output/**", "fixtures/pdf/**", "**/*.d.ts", "web/static/vendor/**"] },
  js.configs.recommended,
  { files: ["bin/**/*.js", "*.js"], languageOptions: { globals: { process: "readonly", console: "readonly" } } },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["parsers/**/*.ts", "reconcile/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["@aws-sdk/*", "aws-cdk-lib", "aws-cdk-lib/*"], message: "The core is pure: no AWS imports in parsers/ or reconcile/." }] }],
    },
  },
);
