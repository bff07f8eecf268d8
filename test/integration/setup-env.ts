// jest setupFiles for the integration suite: runs before cdktf is imported by any test file.
import { engineEnv } from './toolchain';

Object.assign(process.env, engineEnv());
