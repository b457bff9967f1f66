import { OPEN_LOG_COMMAND } from '../log';
import type { Command } from '../services';

export const openLog: Command = {
  id: OPEN_LOG_COMMAND,
  run(services) {
    services.log.show(true);
  },
};
