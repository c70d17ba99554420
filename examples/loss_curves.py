"""Training and validation loss per epoch, and a loss plot.

Trains CBOW with negative sampling on the corpus bundled with cw2v, keeping the last 500 paragraphs
aside. After each epoch a callback records the training loss of the epoch (``model.epoch_losses``, summed
over every update and thread in float64) and the negative-sampling log-likelihood of the held-out
paragraphs (``model.score(..., objective='ns')``, with the same fixed noise words every time), then the
two curves are drawn with :func:`cw2v.plotting.plot_losses`-style axes into ``loss_curves.png``.

Run: ``python examples/loss_curves.py [output.png]`` (the picture needs ``pip install matplotlib``).
"""
import os
import sys
import time

try:
    import cw2v
except ImportError:                      # running from a source checkout without installing
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import cw2v
from cw2v.callbacks import CallbackAny2Vec
from cw2v.cli import demo_corpus_path


class Validation(CallbackAny2Vec):
    """Scores the held-out paragraphs after every epoch."""

    def __init__(self, held_out):
        self.held_out = held_out
        self.scores = []

    def on_epoch_end(self, model):
        loglik = float(model.score(self.held_out, objective="ns").sum())
        self.scores.append(-loglik / sum(map(len, self.held_out)))
        print(f"epoch {len(self.scores)}: train loss {model.epoch_losses[-1]:,.0f}, "
              f"validation loss per token {self.scores[-1]:.3f}")


def main(png="loss_curves.png"):
    paragraphs = list(cw2v.LineSentence(demo_corpus_path()))
    train, held_out = paragraphs[:-500], paragraphs[-500:]
    validation = Validation(held_out)
    start = time.perf_counter()
    model = cw2v.Word2Vec(vector_size=100, sg=0, negative=5, workers=2, seed=1)
    model.build_vocab(train)
    model.train(train, total_examples=len(train), epochs=6, compute_loss=True, callbacks=[validation])
    print(f"trained in {time.perf_counter() - start:.1f}s; total loss {model.get_latest_training_loss():,.0f} "
          f"= sum of the epoch losses")
    try:
        from cw2v.plotting import plot_losses
    except ImportError as exc:
        print(f"no picture: {exc}")
        return
    try:
        fig = plot_losses(model)
    except ImportError as exc:
        print(f"no picture: {exc}")
        return
    ax = fig.axes[0]
    twin = ax.twinx()
    twin.plot(range(1, len(validation.scores) + 1), validation.scores, "s--", color="tab:orange",
              label="validation (NS loss per token)")
    twin.set_ylabel("validation loss per token")
    twin.legend(loc="upper right")
    fig.savefig(png, dpi=100)
    print(f"loss curves saved to {png}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
