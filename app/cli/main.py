"""The `actionlens` command line: one parser, one dispatcher, one place for user errors.

Each subcommand lives in its own module and is imported only when used, so
`actionlens --help` does not pay for TensorFlow.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shlex
import sys

from app.cli.common import add_data_options, add_model_options, add_training_options
from app.cli.malloc_arenas import cap_malloc_arenas
from app.cli.workers import add_cluster_options
from app.paths import DEFAULT_MODEL, DEMO_CLIP
from app.runtime.runtime_choice import RUNTIMES
from app.settings import DEFAULT_MAX_PEOPLE
from model.config import FEATURES, MOTION_INPUTS, ModelConfig
from model.train.classifier import TrainSettings
from model.train.predictor import PredictorSettings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# FFmpeg's own log lines ("moov atom not found") would precede our one-line error about
# the same file; we report bad and truncated files ourselves. Read when cv2 first opens a video.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
# OpenCV's own `[ WARN ...]` lines too, in this process and its children (app/capture/quiet.py).
os.environ.setdefault("OPENCV_LOG_LEVEL", "OFF")

# Errors that mean "the user gave us something wrong": one line, exit 2, no traceback.
_USER_ERRORS = (
    ("app.capture.sources", "SourceError"),
    ("app.outputs.files", "OutputError"),
    ("model.bundle", "BundleError"),
    ("model.errors", "DatasetError"),
    ("model.errors", "ClusterError"),
    ("model.shapes", "ShapeError"),
    ("model.export", "ExportError"),
    ("model.pose.fetch", "PoseModelsMissing"),
    ("model.lite.bundle", "LiteUnavailable"),
    ("app.cli.bench_compare", "BenchChildFailed"),
)


def _positive_int(text: str) -> int:
    """argparse type: a whole number of at least 1 (`--window 0` would never classify)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def _add_model(p: argparse.ArgumentParser) -> None:
    # None until `main` resolves it, so commands that write into a bundle can tell a named one
    # from the shipped default (`args.model_named`).
    p.add_argument("--model", default=None, help="model bundle folder (default: the shipped one)")


def _add_device(p: argparse.ArgumentParser) -> None:
    p.add_argument("--device", choices=("auto", "cpu", "gpu"), default="auto",
                   help="where the models run; gpu falls back to cpu with a notice")
    p.add_argument("--runtime", choices=RUNTIMES, default="auto",
                   help="what runs them: litert (no TensorFlow; the default without a CUDA GPU) "
                        "or keras (TensorFlow; the default with one)")


def _add_max_people(p: argparse.ArgumentParser) -> None:
    p.add_argument("--max-people", type=_positive_int, default=DEFAULT_MAX_PEOPLE, metavar="N",
                   help=f"pose models: follow up to N people, each with a label (default: {DEFAULT_MAX_PEOPLE}; "
                        "1 follows the most prominent person only)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="actionlens",
        description="Live human action recognition from a webcam or a video file.",
        # Where the installed app keeps what it ships, e.g. for `actionlens run --source DEMO`.
        epilog=f"default model: {DEFAULT_MODEL}\ndemo clip:     {DEMO_CLIP}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("gui", help="open the desktop app (default)")
    p.add_argument("--source", help="camera index, video file or stream URL (default: camera 0, else the demo clip)")
    _add_model(p)
    _add_device(p)
    p.add_argument("--snapshot", help="save the window as PNG after --snapshot-after-frames predictions, then exit")
    p.add_argument("--snapshot-after-frames", type=_positive_int, default=60,
                   help="predictions to wait for before --snapshot (default: 60)")
    p.add_argument("--timing", action="store_true", help="print start-up and paint timing at exit")
    _add_max_people(p)

    sub.add_parser("info", help="versions, backend, devices and the default model")

    p = sub.add_parser("run", help="process a source headless: annotated video, events, segments")
    p.add_argument("--source", required=True, help="camera index (0), video file, or rtsp:// / http(s):// URL")
    _add_model(p)
    _add_device(p)
    p.add_argument("--out", help="annotated video to write (.mp4 or .avi)")
    p.add_argument("--raw-out", help="also write the raw frames to this video")
    p.add_argument("--events", help="JSON lines, one per processed frame")
    p.add_argument("--segments", help="stable actions as .csv or .json")
    p.add_argument("--fast", action="store_true", help="files: as fast as possible instead of at the file's fps")
    p.add_argument("--window", type=_positive_int, help="frames per window (default: the model's)")
    p.add_argument("--stride", type=_positive_int, default=1, help="run the classifier every N frames")
    p.add_argument("--max-frames", type=_positive_int, help="stop after N frames (live sources run until Ctrl-C)")
    p.add_argument("--skeleton", action="store_true", help="pose models: draw the skeleton and box in --out")
    p.add_argument("--landmarks", action="store_true", help="pose models: events carry the 33 landmarks")
    _add_max_people(p)

    p = sub.add_parser("bench", help="measure both runtimes side by side: start-up, per frame, latency, memory")
    _add_model(p)
    p.add_argument("--device", choices=("auto", "cpu", "gpu"), default="auto", help="where the models run")
    p.add_argument("--runtime", choices=("both", *RUNTIMES), default="both",
                   help="both (default: each in its own process, side by side), or one, in this process")
    p.add_argument("--clip", help="both runtimes: the file `run` starts on, launch to first label "
                                  "(default: the demo clip)")
    p.add_argument("--json", help="write the figures to this JSON file")
    p.add_argument("--frames", type=int, default=300, help="frames of the paced live run")
    p.add_argument("--soak-seconds", type=float, default=0.0, help="also run this long and report RSS growth")
    p.add_argument("--people", type=_positive_int, metavar="N",
                   help="pose models: measure with N real people side by side in view, each followed "
                        "(a clip made from ../shared/data at run time); adds ms per frame per person")
    p.add_argument("--people-data", metavar="DIR",
                   help="with --people: the folder holding the real clips' actions/ and extra/ "
                        "(default: ../shared/data beside the checkout)")

    sub.add_parser("fetch-pose", help="fetch and check the BlazePose models once (from the mediapipe 0.10.21 wheel)")

    p = sub.add_parser("train", help="train a classifier bundle on your clips")
    add_data_options(p)
    p.add_argument("--features", choices=FEATURES, default=None,
                   help="pose: BlazePose landmarks then a small trainable layer (works across rooms); "
                        "pixels: the CNN on motion pixels. Default: pixels, or the --from bundle's")
    p.add_argument("--out", required=True, help="bundle folder to write")
    p.add_argument("--arch", default=ModelConfig.arch, help="cnn_lstm, convlstm or renet")
    add_model_options(p)
    # train's alone: only pose windows are cut with a still start (`compare` trains pixel models).
    p.add_argument("--decide-from", type=int, default=ModelConfig.decide_from, metavar="STEPS",
                   help="pose: steps held before the first decision, fewer than --frames: the window's "
                        "older steps are then the first one held, in training and live (0: --frames)")
    p.add_argument("--fast-frames", type=int, default=ModelConfig.fast_frames, metavar="STEPS",
                   help="pose: two rates: the head sees the newest STEPS steps at --fps and the whole "
                        "window at half of it, each through its own LSTM (0: one rate)")
    p.add_argument("--short-head-frames", type=int, default=ModelConfig.short_head_frames, metavar="STEPS",
                   help="pose: a second head, trained apart on whole windows of STEPS steps at --fps, reads "
                        "the newest STEPS steps; the app shows the mean of both heads (0: one head)")
    p.add_argument("--needs-legs", nargs="+", default=[], metavar="LABEL",
                   help="pose: labels a window can be only if it shows the legs on some step (a jumping "
                        "jack is the legs jumping); windows without them never show these labels")
    p.add_argument("--needs-repeats", nargs="+", default=[], metavar="LABEL",
                   help="pose: labels that are repeated sweeps of the arms (a two-hand wave); a window that "
                        "begins with the arms low and turns back at most once never shows them")
    add_training_options(p)
    p.add_argument("--holdout-groups", nargs="+", default=[],
                   help="groups kept out of training for testing (pose: the folds of --loso and "
                        "--group-folds too, as they estimate the model trained without them)")
    p.add_argument("--cv", action="store_true", help="leave-one-group-out cross-validation first")
    p.add_argument("--cv-datasets", nargs="*", help="with --cv: only fold over groups of these datasets")
    p.add_argument("--loso", action="store_true",
                   help="leave-one-source-out first: train without each dataset, test on it, and set "
                        "the unknown threshold from those held-out sources")
    p.add_argument("--loso-epochs", type=int, help="with --loso: epochs per fold (default: --epochs)")
    p.add_argument("--loso-sources", nargs="*", help="with --loso: hold out only these datasets")
    p.add_argument("--group-folds", type=_positive_int, metavar="K",
                   help="with --features pose: group K-fold over all sources first (each person held out "
                        "once), scored on screen at the calibrated threshold, into the card")
    p.add_argument("--unknown-below", type=float, metavar="P",
                   help="pose: the unknown threshold to ship; with --loso or --group-folds, instead of "
                        "calibrating one (the folds are scored at it)")
    p.add_argument("--crop", choices=("", "motion"), default="",
                   help="motion: crop each frame to the moving region before resizing")
    p.add_argument("--no-idle", action="store_true", help="do not add the idle class")
    p.add_argument("--no-motion", action="store_true",
                   help="feed plain frames to the encoder instead of (frame, change) pairs")
    # pair, the shipped recipe: flow was measured and did not beat it yet (docs/default_model_notes.md).
    p.add_argument("--motion-input", choices=MOTION_INPUTS, default=ModelConfig.motion_input,
                   help="pair (default): the frame and its change; flow (cnn_lstm only): normal flow, "
                        "how things moved and not what the room looks like")
    p.add_argument("--symmetric", nargs="*", default=None, help="labels safe to mirror (default: all)")
    p.add_argument("--balance-sources", action="store_true",
                   help="within each class, sample every dataset (room and camera) as often as any other, "
                        "not every clip: the biggest source of a class does not become what it looks like")
    add_cluster_options(p)
    p.add_argument("--logdir", help="TensorBoard log folder")
    p.add_argument("--cache", help="clip cache folder (default ~/.cache/actionlens)")
    p.add_argument("--predictor", action="store_true", help="also train the next-frame predictor on the same clips")
    p.add_argument("--predictor-epochs", type=int, default=PredictorSettings.epochs,
                   help="with --predictor: its epochs (steps and batch as for the classifier)")
    p.add_argument("--card-notes", help="Markdown file appended to MODEL_CARD.md (data sources, known limits)")
    p.add_argument("--from", dest="from_bundle", nargs="?", const=str(DEFAULT_MODEL), metavar="BUNDLE",
                   help="teach new classes on top of a trained bundle (default: the shipped one): its "
                        "per-frame encoder stays frozen and only a new head is trained, in seconds")
    p.add_argument("--head-epochs", type=int, help="with --from: passes over the cached embeddings (default 20)")
    p.add_argument("--views", type=int, metavar="N",
                   help="with --from: also learn from N augmented views of each clip (faster or slower, "
                        "zoomed, shifted, relit), embedded once and cached (default 16; 0 is fastest)")
    p.add_argument("--no-estimate", action="store_true", help="with --from: skip the leave-one-clip-out estimate")
    p.add_argument("--progress", choices=("lines", "json"), default="lines",
                   help="with --from: json writes progress to stdout as JSON lines (the GUI reads them)")

    p = sub.add_parser("train-predictor", help="train the next-frame predictor into a bundle")
    p.add_argument("--data", help="clips folder (manifest.csv or one folder per class)")
    p.add_argument("--moving-mnist", help="folder with MNIST idx files: train on Moving MNIST instead")
    p.add_argument("--out", required=True, help="bundle folder to add predictor.keras to (or create)")
    add_training_options(p, PredictorSettings())
    add_cluster_options(p)
    p.add_argument("--holdout-groups", nargs="+", default=[])
    p.add_argument("--cache", help="clip cache folder")

    p = sub.add_parser("compare", help="train and test the three architectures on the same held-out groups")
    p.add_argument("--data", required=True)
    p.add_argument("--holdout-groups", nargs="+", required=True, help="one split per group")
    p.add_argument("--json", help="write the rows as JSON")
    p.add_argument("--into", help="also store the rows in this bundle's metrics.json and model card")
    add_model_options(p)
    # A shorter schedule than `train`: every architecture trains once per held-out group.
    add_training_options(p, TrainSettings(epochs=12, steps=40))
    p.add_argument("--cache", help="clip cache folder")
    p.set_defaults(arch="cnn_lstm", no_idle=False, no_motion=False, symmetric=None)

    p = sub.add_parser("evaluate", help="accuracy, per-class F1, confusion and false alarms on your clips")
    _add_model(p)
    add_data_options(p, required=False)
    p.add_argument("--none", nargs="*", metavar="FOLDER",
                   help="footage where none of the model's actions happens: every video counts for false alarms")
    p.add_argument("--threshold", type=float, help="unknown below this probability (default: the model's)")
    p.add_argument("--held-out-sources", action="store_true",
                   help="score the model's leave-one-source-out folds (kept by train --loso) at --threshold "
                        "and at every threshold, without training again")
    p.add_argument("--json", help="write the report as JSON")
    p.add_argument("--plots", help="folder for confusion.png")
    p.add_argument("--stride", type=int, default=4, help="window stride in model frames")
    p.add_argument("--lead-in", type=float, default=0.0, metavar="SECONDS",
                   help="on screen: hold each clip's first frame this long first, as a camera sees a "
                        "person standing there before they start (default 0: the clip as cut)")
    p.add_argument("--record", metavar="NAME",
                   help="keep the open-set figures in the model's metrics.json and model card under NAME")
    p.add_argument("--counts", metavar="CSV",
                   help="repetition counts made by eye (path,count[,label]): report the counter's error on "
                        "them (alone: only that); a manifest's count column is used as well")
    p.add_argument("--counts-root", metavar="FOLDER",
                   help="the folder --counts' paths are relative to (default: the CSV's folder)")
    p.add_argument("--cache", help="clip cache folder")

    p = sub.add_parser("export", help="export the classifier to ONNX, TFLite or SavedModel, "
                                      "or (re)write the bundle's own LiteRT files")
    _add_model(p)
    p.add_argument("--format", required=True, choices=("onnx", "tflite", "savedmodel", "litert"),
                   help="litert: the files the app runs (encoder, head, predictor), into the bundle")
    p.add_argument("--out", help="file or folder to write (litert: default the bundle itself)")
    return parser


# The commands that run the live app (bench runs `run`), whose peak memory is a goal. Training
# and evaluation keep glibc's arenas: their many TensorFlow threads would queue at two.
LIVE_COMMANDS = ("gui", "run", "bench")

_COMMANDS = {
    "gui": "app.cli.gui",
    "info": "app.cli.info",
    "run": "app.cli.run",
    "bench": "app.cli.bench",
    "train": "app.cli.train",
    "fetch-pose": "app.cli.fetch_pose",
    "train-predictor": "app.cli.train_predictor",
    "evaluate": "app.cli.evaluate",
    "compare": "app.cli.compare",
    "export": "app.cli.export",
}


def _user_error_types() -> tuple[type, ...]:
    found = []
    for module, name in _USER_ERRORS:
        mod = sys.modules.get(module)
        if mod is not None and hasattr(mod, name):
            found.append(getattr(mod, name))
    return tuple(found)


def _check_model(args: argparse.Namespace) -> None:
    """Reads `--model`'s config and labels before anything else runs.

    A wrong folder is then the same one line and exit code 2 for every command, before a
    display, a source or TensorFlow is touched (the GUI would otherwise answer it with a
    dialog, or with "no display" without looking at it).

    Raises:
        BundleError: naming the folder and what to pass instead.
    """
    if getattr(args, "model", None) is None:
        return
    from model.bundle import read_bundle_files

    read_bundle_files(args.model)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `actionlens` console script and of `python -m app`."""
    parser = build_parser()
    argv = list(argv if argv is not None else sys.argv[1:])
    if argv and argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        # `actionlens --source clip.avi` is the GUI with its options, as bare `actionlens` is.
        argv = ["gui", *argv]
    args = parser.parse_args(argv)
    command = args.command or "gui"
    if args.command is None:
        args = parser.parse_args(["gui", *argv])
    if command in LIVE_COMMANDS:
        cap_malloc_arenas()  # before any thread starts: see app/cli/malloc_arenas.py
    # What bundles and cards quote as the command that made them: the words given, quoted to re-run.
    args.command_line = shlex.join(["actionlens", *argv])
    if hasattr(args, "model"):
        args.model_named = args.model is not None
        args.model = args.model or str(DEFAULT_MODEL)
    try:
        _check_model(args)
        module = importlib.import_module(_COMMANDS[command])
        return int(module.main(args) or 0)
    except KeyboardInterrupt:
        print("actionlens: interrupted", file=sys.stderr)
        return 130
    except Exception as err:
        if isinstance(err, _user_error_types()):
            print(f"actionlens: error: {err}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
