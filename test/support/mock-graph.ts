/**
 * The mock harness moved to components/testing (shipped as `pulumi-nhi/testing`). This re-export
 * keeps `import … from "../support/mock-graph"` working; new code imports the shipped module.
 */
export * from "../../components/testing";
