/**
 * `pulumi-nhi/testing`: run a Pulumi program offline under Pulumi's mocks, with realistic AWS and
 * Google Cloud outputs, and assert what it registers. See the README, "Testing your own stack
 * under mocks".
 */
export {
    MOCK_ACCOUNT,
    MOCK_NAME_SUFFIX,
    MOCK_PROJECT_NUMBER,
    MockOptions,
    MockResource,
    Registered,
    capture,
    installMocks,
    ofType,
    valueOf,
} from "./mock-graph";
