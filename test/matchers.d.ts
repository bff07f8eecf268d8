// Types for the matchers that Testing.setupJest() installs (toHaveResourceWithProperties, ...).
import 'cdktf/lib/testing/adapters/jest';
