// The Vivado Tcl commands, options and IP properties the generated overlay scripts may use, each with
// the AMD document it comes from. tcl-check.ts refuses a generated script that uses anything else, so
// a typo or an invented option fails here instead of in the user's Vivado run.
//
// Versions: the entries hold for the releases in TARGET_VIVADO_VERSIONS (2022.1 - 2023.2). Command
// syntax is from UG835 (Vivado Design Suite Tcl Command Reference Guide); entries marked "looked up"
// were checked against the public UG835 pages (2021.2, 2023.1, 2026.1 editions: assign_bd_address,
// get_timing_paths, report_timing, report_timing_summary). IP packager object properties are from
// UG1118 (Creating and Packaging Custom IP). CONFIG names of zynq_ultra_ps_e are also checked by
// overlay.test.ts against the PARAMETERs of the PS in the real Vivado hand-off file in
// ../shared/fixtures (zynq_ultra_ps_e 3.3, Vivado 2019.1).

export interface CommandRef {
  /** Options (with the leading dash) the scripts may pass. */
  options: string[];
  doc: string;
}

const UG835 = 'UG835 (v2022.1-v2023.2)';
const c = (options: string[], doc = UG835): CommandRef => ({ options, doc });

/** Vivado commands (not Tcl built-ins) and the options the generator uses. */
export const VIVADO_COMMANDS: Record<string, CommandRef> = {
  version: c(['-short']),
  set_param: c([]),
  create_project: c(['-force', '-part']),
  close_project: c([]),
  current_project: c([]),
  current_fileset: c([]),
  add_files: c(['-norecurse']),
  get_files: c([]),
  update_compile_order: c(['-fileset']),
  set_property: c(['-dict']),
  get_property: c([]),
  get_board_parts: c(['-quiet']),
  update_ip_catalog: c([]),
  'ipx::package_project': c(['-root_dir', '-vendor', '-library', '-taxonomy', '-set_current']),
  'ipx::current_core': c([]),
  'ipx::get_bus_interfaces': c(['-of_objects']),
  'ipx::associate_bus_interfaces': c(['-busif', '-clock']),
  'ipx::remove_all_memory_map': c([]),
  'ipx::add_memory_map': c([]),
  'ipx::add_address_block': c([]),
  'ipx::add_register': c([]),
  'ipx::add_field': c([]),
  'ipx::get_address_spaces': c(['-of_objects']),
  'ipx::get_user_parameters': c(['-of_objects']),
  'ipx::add_address_space': c([]),
  'ipx::create_xgui_files': c([]),
  'ipx::update_checksums': c([]),
  'ipx::check_integrity': c([]),
  'ipx::save_core': c([]),
  create_bd_design: c([]),
  create_bd_cell: c(['-type', '-vlnv']),
  apply_bd_automation: c(['-rule', '-config']),
  get_bd_cells: c([]),
  get_bd_pins: c([]),
  get_bd_intf_pins: c([]),
  connect_bd_net: c([]),
  connect_bd_intf_net: c([]),
  get_bd_addr_spaces: c([]),
  get_bd_addr_segs: c([]),
  assign_bd_address: c(['-offset', '-range', '-target_address_space', '-force'], `${UG835}, looked up`),
  validate_bd_design: c([]),
  save_bd_design: c([]),
  generate_target: c([]),
  make_wrapper: c(['-files', '-top']),
  launch_runs: c(['-jobs']),
  wait_on_run: c([]),
  get_runs: c([]),
  open_run: c([]),
  report_timing_summary: c(['-file'], `${UG835}, looked up`),
  report_utilization: c(['-file']),
  get_timing_paths: c(['-max_paths', '-nworst', '-setup', '-hold'], `${UG835}, looked up`),
  report_timing: c(['-max_paths', '-nworst', '-setup', '-hold', '-return_string'], `${UG835}, looked up`),
  write_bitstream: c(['-force']),
};

/** Tcl 8.6 built-in commands the scripts use (Vivado embeds Tcl 8.6). */
export const TCL_BUILTINS = new Set([
  'set', 'if', 'foreach', 'puts', 'error', 'file', 'info', 'lindex', 'llength', 'lsort', 'list', 'string',
  'expr', 'source', 'glob', 'lappend', 'exec', 'return', 'catch', 'format', 'incr', 'join',
]);

/** Properties set with set_property on projects, filesets, files and IP-packager objects. */
export const OBJECT_PROPERTIES: Record<string, string> = {
  board_part: 'UG835 set_property / UG895 (project BOARD_PART)',
  ip_repo_paths: 'UG896 (project IP_REPO_PATHS)',
  top: 'UG895 (fileset TOP)',
  file_type: 'UG895 (file FILE_TYPE)',
  name: 'UG1118 (ipx core NAME)',
  version: 'UG1118 (ipx core VERSION)',
  display_name: 'UG1118 (ipx core DISPLAY_NAME)',
  description: 'UG1118 (ipx core / register DESCRIPTION)',
  slave_memory_map_ref: 'UG1118 (bus interface SLAVE_MEMORY_MAP_REF)',
  master_address_space_ref: 'UG1118 (bus interface MASTER_ADDRESS_SPACE_REF)',
  range: 'UG1118 (address block / address space RANGE)',
  width: 'UG1118 (address block / address space WIDTH)',
  usage: 'UG1118 (address block USAGE)',
  access: 'UG1118 (address block / field ACCESS)',
  address_offset: 'UG1118 (register ADDRESS_OFFSET)',
  size: 'UG1118 (register SIZE)',
  bit_offset: 'UG1118 (field BIT_OFFSET)',
  bit_width: 'UG1118 (field BIT_WIDTH)',
};

/** Properties read with get_property. */
export const READ_PROPERTIES: Record<string, string> = {
  PROGRESS: 'UG835 (run PROGRESS)',
  DIRECTORY: 'UG835 (run DIRECTORY)',
  SLACK: 'UG835 (timing path SLACK), looked up',
  'CONFIG.FREQ_HZ': 'UG994 (block-design pin FREQ_HZ)',
};

export interface IpRef {
  doc: string;
  config: string[];
}

/** CONFIG.* parameters per IP (VLNV without version), from the IP product guides. */
export const IP_CONFIG: Record<string, IpRef> = {
  'xilinx.com:ip:zynq_ultra_ps_e': {
    doc: 'PG201 Zynq UltraScale+ MPSoC Processing System v3.4-v3.5 (Vivado 2022.1-2023.2); names also in the real .hwh (v3.3)',
    config: [
      'PSU__USE__M_AXI_GP0', 'PSU__USE__M_AXI_GP1', 'PSU__USE__M_AXI_GP2',
      'PSU__MAXIGP0__DATA_WIDTH', 'PSU__MAXIGP1__DATA_WIDTH', 'PSU__MAXIGP2__DATA_WIDTH',
      'PSU__USE__S_AXI_GP0', 'PSU__USE__S_AXI_GP1', 'PSU__USE__S_AXI_GP2', 'PSU__USE__S_AXI_GP3', 'PSU__USE__S_AXI_GP4', 'PSU__USE__S_AXI_GP5', 'PSU__USE__S_AXI_GP6',
      'PSU__SAXIGP0__DATA_WIDTH', 'PSU__SAXIGP1__DATA_WIDTH', 'PSU__SAXIGP2__DATA_WIDTH', 'PSU__SAXIGP3__DATA_WIDTH', 'PSU__SAXIGP4__DATA_WIDTH', 'PSU__SAXIGP5__DATA_WIDTH',
      'PSU__FPGA_PL0_ENABLE', 'PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ', 'PSU__USE__IRQ0',
    ],
  },
  'xilinx.com:ip:processing_system7': {
    doc: 'PG082 Processing System 7 v5.5 (Vivado 2022.1-2023.2)',
    config: [
      'PCW_USE_M_AXI_GP0', 'PCW_USE_M_AXI_GP1', 'PCW_USE_S_AXI_HP0', 'PCW_USE_S_AXI_HP1', 'PCW_USE_S_AXI_HP2', 'PCW_USE_S_AXI_HP3',
      'PCW_S_AXI_HP0_DATA_WIDTH', 'PCW_S_AXI_HP1_DATA_WIDTH', 'PCW_S_AXI_HP2_DATA_WIDTH', 'PCW_S_AXI_HP3_DATA_WIDTH', 'PCW_FPGA_FCLK0_ENABLE',
      'PCW_FPGA0_PERIPHERAL_FREQMHZ', 'PCW_USE_FABRIC_INTERRUPT', 'PCW_IRQ_F2P_INTR',
    ],
  },
  'xilinx.com:ip:smartconnect': { doc: 'PG247 SmartConnect v1.0', config: ['NUM_SI', 'NUM_MI'] },
  'xilinx.com:ip:proc_sys_reset': { doc: 'PG164 Processor System Reset Module v5.0', config: [] },
};

/** Block-design automation rules (apply_bd_automation -rule) and their config keys. */
export const BD_RULES: Record<string, { doc: string; keys: string[] }> = {
  'xilinx.com:bd_rule:zynq_ultra_ps_e': { doc: 'UG994 (designer assistance, board preset)', keys: ['apply_board_preset'] },
  'xilinx.com:bd_rule:processing_system7': { doc: 'UG994 (designer assistance, board preset)', keys: ['make_external', 'apply_board_preset', 'Master', 'Slave'] },
};
