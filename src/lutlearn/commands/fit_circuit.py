"""``lutlearn fit-circuit``: learn an AIG within a gate budget from PLA examples."""

from __future__ import annotations

import argparse

from lutlearn.commands._fit_multiclass import add_arguments as add_multiclass_arguments
from lutlearn.commands._progress import add_progress_arg, progress_enabled

NAME = "fit-circuit"
HELP = "learn a circuit (AIGER) within an AND-gate budget from PLA training and validation files"
EPILOG = """Tries lut networks of several lut sizes, depths and widths, with random and greedy
wiring (--wiring), fitted on the training file (lut entries of patterns never seen in
training set to make the circuit small and, as another candidate, to the majority of
their Hamming neighbours: --fill), and keeps the best on the validation file among those
whose AIG (after ABC's 'strash; dc2; dc2' when berkeley-abc is installed) has at most
--max-and-gates ANDs. With at most 20 inputs (--care-table) the truth table memorized,
every unseen pattern a don't-care for ABC's &ttopt, is one more candidate; with 21 to 256
inputs, the same over up to 20 inputs chosen on the validation file (--care-support);
when it wins it is synthesised again from training + validation examples (--refit table, the default;
--refit all refits any chosen network, --no-refit none). Cascades (--cascade) are
decision lists of greedy-wired luts, each counted on the examples the luts before it are
unsure of. The circuit has one output: 1 means the PLA output 1. A PLA file of several
outputs (or don't-care outputs) gives one circuit of as many outputs: every output searched
as above under a few budgets, the whole budget spent where validation gains most
(lutlearn.circuits.multioutput), the circuits merged and optimised together; with at most
20 inputs (--joint-table) the joint care table of all the outputs is learned first, and an
output it validates perfectly is not searched on its own.
Constant training outputs give the constant circuit.
examples:
  lutlearn fit-circuit --pla train.pla --valid valid.pla --max-and-gates 5000 -o model.aig
  lutlearn fit-circuit --pla train.pla --valid valid.pla --max-and-gates 500 --quick -o small.aag
  lutlearn fit-circuit --pla train.pla --valid valid.pla --max-and-gates 5000 --wiring both -o model.aig
  lutlearn fit-circuit --task multiclass-mnist --data-home ../shared/data --max-and-gates 10000 -o mnist10.aig
  lutlearn fit-circuit --task multiclass-cifar10 --raw-inputs --one-hot --max-and-gates 10000 -o cifar.aig

With --task, a multi-class task (MNIST, CIFAR-10, digits) becomes one circuit: boosted luts
(lutlearn.circuits.multiclass), a family per lut size (--ks, default 4,5,6) and learning
rate (--learning-rates, default 0.2,0.5) doubling its luts
until the budget, the last rows of the training split validating; the test split scores
the circuit itself.
"""


#: Greedy wiring's candidate inputs per lut when --wiring-candidates is not given: all of them up to this many
#: (every lut scores each candidate, so the search grows with the inputs: 10**5 inputs took minutes).
MAX_DEFAULT_CANDIDATES = 4096


def _ints(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(t) for t in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--pla", help="training examples (single-output PLA; required unless --task)")
    p.add_argument("--valid", help="validation examples (PLA), which choose the network (required unless --task)")
    p.add_argument("--max-and-gates", type=int, required=True, help="budget of AND gates")
    p.add_argument("-o", "--output", required=True, help="circuit to write: .aig (binary) or .aag (ASCII)")
    p.add_argument("--ks", type=_ints, default=None, help="lut sizes to try (default 1,2,4,6,8; --quick 1,2,4,6)")
    p.add_argument("--depths", type=_ints, default=None,
                   help="hidden layer counts to try (default 0,1,2)")
    p.add_argument("--max-width", type=int, default=None, help="widest hidden layer (default 64)")
    p.add_argument("--seeds", type=int, default=1, help="wirings tried per shape (default 1)")
    p.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    p.add_argument(
        "--wiring", choices=("random", "greedy", "both"), default="both",
        help="how luts pick their inputs: random (the paper's), greedy (chosen support: "
             "inputs chosen on the training set), or both tried for every shape (default)",
    )
    p.add_argument("--greedy-ks", type=_ints, default=None, metavar="KS",
                   help="further lut sizes tried with greedy wiring only, with 0 or 1 hidden layer "
                        "(default 10,12, none with --quick; 0 for none)")
    p.add_argument(
        "--fill", choices=("small", "neighbours", "both", "none"), default="both",
        help="lut entries of patterns unseen in training: chosen for a small circuit, the majority of "
             "their Hamming neighbours, both tried (default), or none (the random tie-breaks)",
    )
    p.add_argument("--refit", nargs="?", const="all", choices=("table", "all", "none"), default=None,
                   help="fit the chosen circuit again on training + validation examples for the final "
                        "circuit, when it still fits the budget: 'table' only the care table (the default), "
                        "'all' (bare --refit) any chosen network (it lowered test accuracy on the generated "
                        "tasks: greedy wiring chosen again on more data gives another network), 'none'; with "
                        "--task, 'all' (bare --refit) fits the chosen boosted design again on all the training "
                        "rows, the others do not")
    p.add_argument("--no-refit", dest="refit", action="store_const", const="none",
                   help="the same as --refit none")
    p.add_argument("--wiring-candidates", type=int, default=None, metavar="N",
                   help="greedy wiring: inputs of the layer below each lut may choose from (default all, at "
                        f"most {MAX_DEFAULT_CANDIDATES})")
    p.add_argument("--ensemble", action="store_true",
                   help="also try the majority vote of the three best networks as one circuit")
    p.add_argument("--cascade", action=argparse.BooleanOptionalAction, default=None,
                   help="also try cascades of luts (lutlearn.circuits.search.fit_cascade) with the (k, threshold) "
                        "pairs of lutlearn.circuits.search.SEARCH_DEFAULTS (default: on, off with --quick)")
    p.add_argument("--full-table", type=int, default=None, metavar="N",
                   help="with at most N inputs, also try one lut of all of them, the truth table memorized "
                        "(default 16; 0 for never)")
    p.add_argument("--care-table", type=int, default=None, metavar="N",
                   help="with at most N inputs (at most 24) and ABC, also try the truth table of all of them "
                        "memorized, every pattern unseen in training a don't-care for ABC's &ttopt "
                        "(default 20: about 8 s and 1 GB at 20 inputs; 0 for never)")
    p.add_argument("--care-support", type=int, default=None, metavar="K",
                   help="with more inputs than --care-table but at most 256, also try a care table over at most "
                        "K inputs chosen by forward selection on the validation file (default 20, 0 with --quick: "
                        "5-15 s on the generated tasks; 0 for never)")
    p.add_argument("--joint-table", type=int, default=None, metavar="N",
                   help="a PLA file of several outputs and at most N inputs (at most 24), with ABC: first learn the "
                        "joint care table of all the outputs, one memorized table synthesised as one circuit by "
                        "&ttopt, offered to every output with its gates counted once; an output it validates "
                        "perfectly is not searched on its own (default 20; 0 for never)")
    p.add_argument("--boosted", type=_ints, default=None, metavar="KS",
                   help="also try boosted luts of these sizes (lutlearn.circuits.boosting: one-bit luts grown by "
                        "boosting by counting, a popcount per class; each size a family doubling its luts from 8 "
                        "until the budget or until a doubling gains under --boosted-min-gain validation "
                        "accuracy); default 4,6; 0 for none")
    p.add_argument("--boosted-min-gain", type=float, default=None, metavar="G",
                   help="a doubling of a boosted family's luts that gains less than G validation accuracy is dropped "
                        "and its family stops (default 0.01; 0: only the budget stops it; larger: smaller "
                        "circuits)")
    p.add_argument("--grow-patience", type=int, default=None, metavar="N",
                   help="stop widening a family of networks (one lut size and depth, widths doubling) after N "
                        "widths in a row that did not raise its best validation accuracy (default 1; 0: widen "
                        "until --max-width or the budget)")
    p.add_argument("--quick", action="store_true", help="a small search (seconds)")
    p.add_argument(
        "--keep-ties", action="store_true",
        help="the same as --fill none: keep the random tie-breaks of patterns unseen in training",
    )
    p.add_argument(
        "--abc-script", metavar="CMDS",
        help="ABC optimisation commands (default 'strash; dc2; dc2'), "
             "e.g. 'strash; dc2; dch -f; if -K 4; mfs2; strash; dc2'",
    )
    p.add_argument("--no-abc", action="store_true", help="count gates without ABC even when it is installed")
    p.add_argument("--save-model", metavar="FILE", help="also write the chosen network as a model file (.npz)")
    p.add_argument("--json", metavar="FILE", help="write every candidate's figures as JSON")
    add_progress_arg(p)
    add_multiclass_arguments(p)


def check_options(args: argparse.Namespace) -> None:
    """ValueError, before any work, for options that cannot take effect: ABC's without ABC, and kinds of circuit
    that are no network model with ``--save-model``."""
    from lutlearn.export.tools import find_abc

    if args.no_abc or find_abc() is None:
        why = "--no-abc is given" if args.no_abc else "ABC is not installed (Debian package 'berkeley-abc')"
        for flag, value in (("--abc-script", args.abc_script), ("--care-table", args.care_table),
                            ("--care-support", args.care_support), ("--joint-table", args.joint_table)):
            if value:  # None or 0: not asked for
                raise ValueError(f"{flag} needs ABC, but {why}")
    if args.save_model:
        for flag, value, kind in (("--ensemble", args.ensemble, "the majority of three networks"),
                                  ("--cascade", args.cascade, "a cascade of luts"),
                                  ("--care-table", args.care_table, "a care table synthesised by ABC"),
                                  ("--care-support", args.care_support, "a care table synthesised by ABC")):
            if value:
                raise ValueError(f"{flag} with --save-model: {kind} is no network model to save; drop one of them")


def search_options(args: argparse.Namespace, n_inputs: int) -> dict:
    """The keyword arguments of :func:`~lutlearn.circuits.search.fit_circuit` the options ask for, on ``n_inputs``
    inputs (a multi-output file passes them to every output's search)."""
    from lutlearn.circuits.search import SEARCH_DEFAULTS

    return dict(
        ks=args.ks or ((1, 2, 4, 6) if args.quick else (1, 2, 4, 6, 8)),
        depths=args.depths or (0, 1, 2),
        max_width=args.max_width or 64,
        n_seeds=args.seeds, random_state=args.seed, use_abc=False if args.no_abc else None,
        fill="none" if args.keep_ties else args.fill, abc_script=args.abc_script,
        wirings=("random", "greedy") if args.wiring == "both" else (args.wiring,),
        wiring_candidates=args.wiring_candidates or (MAX_DEFAULT_CANDIDATES if n_inputs > MAX_DEFAULT_CANDIDATES
                                                     else None),
        greedy_ks=tuple(k for k in (args.greedy_ks or (() if args.quick else SEARCH_DEFAULTS["greedy_ks"])) if k > 0),
        refit={None: SEARCH_DEFAULTS["refit"], "table": "table", "all": True, "none": False}[args.refit],
        ensemble=args.ensemble, progress=progress_enabled(args),
        cascades=SEARCH_DEFAULTS["cascades"] if (not args.quick if args.cascade is None else args.cascade) else (),
        full_table=SEARCH_DEFAULTS["full_table"] if args.full_table is None else args.full_table,
        care_table=SEARCH_DEFAULTS["care_table"] if args.care_table is None else args.care_table,
        care_support=(0 if args.quick else SEARCH_DEFAULTS["care_support"]) if args.care_support is None
        else args.care_support,
        boosted=tuple(k for k in (args.boosted or SEARCH_DEFAULTS["boosted"]) if k > 0),
        boosted_min_gain=SEARCH_DEFAULTS["boosted_min_gain"] if args.boosted_min_gain is None
        else args.boosted_min_gain,
        grow_patience=SEARCH_DEFAULTS["grow_patience"] if args.grow_patience is None else args.grow_patience,
    )


def run(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from lutlearn._files import atomic_writer, staged_outputs
    from lutlearn.circuits.search import fit_circuit
    from lutlearn.commands._common import check_outputs
    from lutlearn.datasets.pla import read_multi_pla, read_pla_pair

    suffix = Path(args.output).suffix.lower()
    if suffix not in (".aig", ".aag"):
        raise ValueError(f"{args.output}: the circuit file must end in .aig (binary) or .aag (ASCII)")
    if args.task is not None:
        if args.pla or args.valid:
            raise ValueError("give either --task or --pla and --valid, not both")
        from lutlearn.commands._fit_multiclass import run_multiclass

        return run_multiclass(args, suffix)
    if not (args.pla and args.valid):
        raise ValueError("give --pla and --valid (PLA training and validation files), or --task")
    if (args.raw_inputs or args.one_hot or args.n_valid is not None or args.levels != 1 or args.output_bits != 1
            or args.start_luts is not None or args.n_jobs is not None):
        raise ValueError("--raw-inputs, --levels, --one-hot, --n-valid, --output-bits, --start-luts and --n-jobs "
                         "go with --task")
    check_outputs([args.output, args.save_model, args.json], [args.pla, args.valid])
    check_options(args)
    train = read_multi_pla(args.pla)
    if train.n_outputs > 1 or not train.care.all():
        from lutlearn.commands._fit_multioutput import run_multioutput

        return run_multioutput(args, suffix, train, search_options(args, train.X.shape[1]))
    if args.joint_table:
        raise ValueError(f"--joint-table learns the outputs of a PLA file of several outputs together; {args.pla} "
                         "has one (its care table is --care-table)")
    X, y, Xv, yv = read_pla_pair(args.pla, args.valid)
    constant = len(set(y.tolist())) < 2
    if constant and args.save_model:
        raise ValueError(f"{args.pla}: every example has output {int(y[0])}; there is no network to save "
                         "(the circuit is that constant): drop --save-model")
    if args.save_model:  # only a network is a model: the other kinds are left out before the search, not after
        args.cascade, args.care_table, args.care_support = False, 0, 0
        print("--save-model: the search tries networks only (no cascades, no care tables)")
    search = fit_circuit(X, y, Xv, yv, args.max_and_gates, **search_options(args, X.shape[1]))
    b = search.best
    if args.save_model and search.model is None and b.wiring == "cascade":
        raise ValueError("the chosen circuit is a cascade of luts, not a network model: drop --save-model "
                         "(or use --no-cascade)")
    if args.save_model and search.model is None and b.wiring == "table":
        raise ValueError("the chosen circuit is the care table synthesised by ABC, not a network model: drop "
                         "--save-model (or use --care-table 0 --care-support 0)")
    if args.save_model and search.model is None and b.wiring == "ensemble":
        raise ValueError("the chosen circuit is the majority of three networks, not one model: drop --save-model "
                         "(or --ensemble)")
    if args.save_model and search.model is None:
        raise ValueError(f"the chosen circuit ({b.wiring}) is not a network model: drop --save-model")
    _report(search, args, constant, int(y[0]))
    from lutlearn.export.aiger import parse_aiger

    print(f"AND gates: {search.and_gates} (budget {args.max_and_gates}), levels: {parse_aiger(search.aig).levels}")
    outputs = [o for o in (args.output, args.save_model, args.json) if o]
    with staged_outputs(*outputs) as staged:  # the files move into place together, once all are written
        where = dict(zip(outputs, staged))
        with atomic_writer(where[args.output]) as fh:
            fh.write(search.to_aiger(binary=suffix == ".aig"))
        if args.save_model:
            search.model.save(where[args.save_model])
        if args.json:
            config = {k: v for k, v in vars(args).items() if not k.startswith("_") and k != "command"}
            record = search.to_record(config, abc_script=args.abc_script)
            with atomic_writer(where[args.json]) as fh:
                fh.write(json.dumps(record, indent=1, default=list).encode())
    print(f"circuit written to {args.output}")
    if args.save_model:
        print(f"model written to {args.save_model}")
    return 0


def _report(search, args: argparse.Namespace, constant: bool, first_output: int) -> None:
    """Print what the search chose, its accuracies and what the final circuit was trained on."""
    from lutlearn.circuits.search import table_inputs

    b = search.best
    if constant:
        print(f"every training example has output {first_output}: nothing to learn, the circuit is {search.summary}")
        print(f"validation accuracy {b.valid_accuracy:.4f}")
    else:
        print(f"tried {len(search.candidates)} networks; gate counts {'after ABC' if search.abc else 'without ABC'}")
        wiring = "" if b.wiring == "random" else f" wiring {b.wiring}"
        fill = "" if b.fill == "small" else f" fill {b.fill}"
        if search.summary is not None:  # the network reduces to a wire or a constant: say which
            print(f"chosen: the circuit is {search.summary}")
        elif search.members is not None:
            print("chosen: the majority of " + "; ".join(
                f"k={c.k} hidden layers {list(c.hidden_layers) or 'none'} seed {c.seed} wiring {c.wiring}"
                for c in search.members))
        elif b.wiring == "table":
            print(f"chosen: the truth table of {table_inputs(b)} memorized, every pattern unseen in training "
                  "a don't-care for ABC's &ttopt")
        elif b.wiring == "cascade":
            print(f"chosen: a cascade of luts of at most {b.k} inputs, threshold {b.threshold}, seed {b.seed}")
        elif b.wiring == "boosted":
            print(f"chosen: {b.n_output_luts} boosted luts of {b.k} inputs, seed {b.seed}")
        else:
            print(f"chosen: k={b.k} hidden layers {list(b.hidden_layers) or 'none'} seed {b.seed}{wiring}{fill}")
        print(f"training accuracy {b.train_accuracy:.4f}, validation accuracy {b.valid_accuracy:.4f}")
        if search.trained_on == "train+valid":
            print("final circuit trained on training + validation examples "
                  f"(the accuracies above: the {'table' if b.wiring == 'table' else 'network'} "
                  "trained on the training examples alone)")
        else:
            print("final circuit trained on the training examples"
                  + (" (the refit on training + validation did not fit the budget)"
                     if args.refit == "all" or (b.wiring == "table" and args.refit != "none") else ""))
