"""The report's SVG charts, drawn by gnuplot."""
import os
import subprocess
import tempfile


THREAD_COLOR, PROCESS_COLOR, OTHER_COLOR = 0x4477AA, 0xCC6677, 0x228833  # gnuplot reads them as integers


class Charts:
    """Writes gnuplot data and scripts to a temporary folder and renders SVGs into `out`."""

    def __init__(self, out, rel):
        self.out, self.rel, self.tmp = out, rel, tempfile.mkdtemp(prefix="tradeoffs-")
        os.makedirs(out, exist_ok=True)

    def _render(self, name, script, data, size="800,440"):
        dat = os.path.join(self.tmp, name + ".dat")
        with open(dat, "w") as f:
            f.write(data)
        svg = os.path.join(self.out, name + ".svg")
        head = (f"set terminal svg size {size} dynamic font 'Helvetica,12' background rgb 'white'\n"
                f"set termoption noenhanced\nset output '{svg}'\nset grid ytics lc rgb '#dddddd'\n"
                "set key outside top center horizontal\nset style fill solid 0.85 border -1\n")
        subprocess.run(["gnuplot"], input=head + script.replace("DATA", f"'{dat}'"), text=True, check=True)
        return f"![{name}]({self.rel}/{name}.svg)\n"

    LABEL = "($2 >= 100 ? sprintf('%.0f', $2) : sprintf('%.2g', $2))"

    def bars(self, name, ylabel, rows, log=True):
        """rows: (label, value, color as an integer 0xRRGGBB)."""
        data = "".join(f'"{label}" {value:.6g} {color:d}\n' for label, value, color in rows)
        script = (("set logscale y\n" if log else "set yrange [0:*]\n") + f"set ylabel '{ylabel}'\n"
                  "set boxwidth 0.7\nset xtics rotate by -40 left nomirror font ',11'\nset bmargin 13\n"
                  "set rmargin 12\nset offsets 0.5, 0.5, 0, 0\n"
                  "plot DATA using 0:2:3:xtic(1) with boxes lc rgb variable notitle, "
                  f"DATA using 0:2:{self.LABEL} with labels offset 0,0.7 font ',10' notitle\n")
        return self._render(name, script, data, "900,560")

    def clusters(self, name, ylabel, columns, rows, log=True):
        """rows: (label, [value per column])."""
        data = "".join(f'"{label}" ' + " ".join(f"{v:.6g}" for v in values) + "\n" for label, values in rows)
        plots = ", ".join(f"DATA using {i + 2}:xtic(1) title '{c}'" if i == 0 else f"DATA using {i + 2} title '{c}'"
                          for i, c in enumerate(columns))
        script = (("set logscale y\n" if log else "set yrange [0:*]\n") + f"set ylabel '{ylabel}'\n"
                  "set style data histograms\nset style histogram cluster gap 1\n"
                  "set xtics rotate by -25 left nomirror font ',11'\nset bmargin 8\nset rmargin 10\n"
                  "plot " + plots + "\n")
        return self._render(name, script, data, "900,500")

    def lines(self, name, xlabel, ylabel, series, xtics=None, logx=True):
        """series: (title, [(x, y)])."""
        data = "\n\n\n".join("\n".join(f"{x:.6g} {y:.6g}" for x, y in points) for _, points in series) + "\n"
        plots = ", ".join(f"DATA index {i} using 1:2 with linespoints lw 2 pt 7 title '{title}'"
                          for i, (title, _) in enumerate(series))
        script = (("set logscale x 2\n" if logx else "") + "set logscale y\n" + f"set xlabel '{xlabel}'\n"
                  f"set ylabel '{ylabel}'\nset offsets graph 0.04, graph 0.04, 0, 0\n"
                  + (f"set xtics ({xtics})\n" if xtics else "") + "plot " + plots + "\n")
        return self._render(name, script, data)
