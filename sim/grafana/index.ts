export { startGrafanaEmulator, type EmulatedDashboard, type GrafanaEmulator, type GrafanaEmulatorOptions } from "./emulator";
export { renderPanelPage, type PanelPageInput, type RenderedSeries } from "./render";
