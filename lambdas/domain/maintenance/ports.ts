import type { MaintenanceWindow } from './maintenance';

/** Where the maintenance windows are read: those planned in the config file and those started through the API. */
export interface MaintenanceCalendar {
  /** Every window still kept (a while after its end), in no particular order. */
  windows(): Promise<readonly MaintenanceWindow[]>;
  /**
   * The window of this id as last written, read consistently: {@link windows} may lag a write by a moment
   * (a window just ended early may still show its planned end there).
   */
  window(id: string): Promise<MaintenanceWindow | undefined>;
}

/** The windows started through the API: added, and ended early. */
export interface MaintenanceStore extends MaintenanceCalendar {
  add(window: MaintenanceWindow): Promise<void>;
  /**
   * Ends an API window at `at` if it has not ended by then; answers the window as it now is, `undefined` if
   * there is no such API window.
   */
  end(id: string, at: Date, by: string): Promise<MaintenanceWindow | undefined>;
}
