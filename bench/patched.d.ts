// Virtual module built by bench/run.mjs: src/durable/symbol-object.ts with the tick path's O(n) count replaced.
declare module "bench:patched-symbol-object" {
  export { SymbolObject as PatchedSymbolObjectBase } from "../src/durable/symbol-object";
}
