/**
 * Python identifiers for graph node ids: variables (`conv_1`) and nn.Module
 * attributes (`self.conv_1`). Ids may hold `-` and start with a digit; Python
 * keywords, the names an exported script already uses and nn.Module's own
 * attributes are avoided with a trailing `_`.
 */

const KEYWORDS = (
  'False None True and as assert async await break class continue def del elif else except finally for from ' +
  'global if import in is lambda nonlocal not or pass raise return try while with yield match case _'
).split(' ');

/**
 * Names every exported script defines or uses at module level or in main(); a Tensor node
 * that no op uses is a module-level variable, so it must not take one of these
 * (test/security/python-export.security.test.ts checks them against Python's symtable).
 */
const SCRIPT_NAMES = (
  'json sys torch nn F Model model main update forward iteration self report Recorder describe_tensor ' +
  'grad_fn_name root_function node_id leaf_value globals next dropout DROPOUT_MASKS opt optimizer_state with_optimizer ' +
  'LEAVES REQUIRES_GRAD RETAIN_GRAD LAYERS FORWARD UPDATE NODE_IDS BACKWARD PHASES ' +
  'print range float int len list dict tuple set isinstance type id super object Exception RuntimeError ' +
  'ValueError str bool min max sum abs any all zip enumerate sorted getattr setattr hasattr'
).split(' ');

/** nn.Module's attributes in PyTorch 1.13 (a layer named `eval` must not hide Module.eval). */
const MODULE_ATTRS = (
  'T_destination add_module apply bfloat16 buffers children cpu cuda double dump_patches eval extra_repr float ' +
  'forward get_buffer get_extra_state get_parameter get_submodule half ipu load_state_dict modules named_buffers ' +
  'named_children named_modules named_parameters parameters register_backward_hook register_buffer ' +
  'register_forward_hook register_forward_pre_hook register_full_backward_hook register_load_state_dict_post_hook ' +
  'register_module register_parameter requires_grad_ set_extra_state share_memory state_dict to to_empty train ' +
  'training type xpu zero_grad'
).split(' ');

const RESERVED_VARS = new Set([...KEYWORDS, ...SCRIPT_NAMES]);
const RESERVED_ATTRS = new Set([...KEYWORDS, ...MODULE_ATTRS]);

/**
 * A valid Python identifier close to `id` (not yet checked for collisions). Neither it
 * nor the names made from it (`x_`, `x_2`) start with `__`: Python mangles such names
 * inside `class Model` (`self.__x` is `self._Model__x` there), so `__proto__` becomes
 * `n__proto__` and `_` (or `-`) becomes `n_`.
 */
export function pythonIdentifier(id: string): string {
  let s = id.replace(/[^A-Za-z0-9_]/g, '_');
  if (s === '' || s === '_' || /^[0-9]/.test(s) || s.startsWith('__')) s = `n${s}`;
  return s;
}

/**
 * Assigns each node id a unique variable name and, for the layers, a unique
 * attribute name. Deterministic: ids are taken in document order.
 */
export class Names {
  private readonly vars = new Map<string, string>();
  private readonly attrs = new Map<string, string>();

  constructor(ids: readonly string[], layerIds: readonly string[]) {
    const used = new Set<string>();
    for (const id of ids) this.vars.set(id, unique(pythonIdentifier(id), used, RESERVED_VARS));
    // An attribute never equals another node's variable, so one table maps both to node ids.
    const usedAttrs = new Set<string>();
    for (const id of layerIds) {
      const others = new Set([...RESERVED_ATTRS, ...[...this.vars].filter(([k]) => k !== id).map(([, v]) => v)]);
      this.attrs.set(id, unique(pythonIdentifier(id), usedAttrs, others));
    }
  }

  /** The variable holding node `id`'s output. */
  v(id: string): string {
    return this.vars.get(id)!;
  }

  /** The Model attribute of layer node `id`. */
  attr(id: string): string {
    return this.attrs.get(id)!;
  }
}

function unique(base: string, used: Set<string>, reserved: ReadonlySet<string>): string {
  let name = reserved.has(base) ? `${base}_` : base;
  for (let k = 2; used.has(name) || reserved.has(name); k++) name = `${base}_${k}`;
  used.add(name);
  return name;
}
