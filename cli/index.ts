/** Entry point of the bundled `rnnlab` binary. */
import { main } from './main';

process.exitCode = main(process.argv.slice(2));
