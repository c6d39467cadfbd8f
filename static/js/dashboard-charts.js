// Draws the team dashboard's charts from the JSON the page carries (json_script).
// Every chart's numbers are also in a table next to it, so the page is complete
// without this script; it only adds the pictures.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  if (typeof window.Chart === "undefined") {
    return;
  }
  const Chart = window.Chart;
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;

  const colours = {
    caseload: "#0b5ed7",
    opened: "#6f42c1",
    closed: "#6c757d",
    red: "#b02a37",
    amber: "#e0a800",
    green: "#198754",
    unassessed: "#adb5bd",
    load: "#0b5ed7",
    capacity: "#6c757d",
  };

  const builders = {
    weekly: (data) => ({
      type: "bar",
      data: {
        labels: data.weeks,
        datasets: [
          { type: "line", label: "Open at week end", data: data.caseload, borderColor: colours.caseload, backgroundColor: colours.caseload },
          { label: "Opened", data: data.opened, backgroundColor: colours.opened },
          { label: "Closed", data: data.closed, backgroundColor: colours.closed },
        ],
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    }),
    rag: (data) => ({
      type: "bar",
      data: {
        labels: data.weeks,
        datasets: [
          { label: "Red", data: data.red, backgroundColor: colours.red },
          { label: "Amber", data: data.amber, backgroundColor: colours.amber },
          { label: "Green", data: data.green, backgroundColor: colours.green },
          { label: "Not assessed", data: data.unassessed, backgroundColor: colours.unassessed },
        ],
      },
      options: {
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    }),
    load: (data) => ({
      type: "bar",
      data: {
        labels: data.advisers,
        datasets: [
          { label: "Load (points)", data: data.load, backgroundColor: colours.load },
          { label: "Capacity (points)", data: data.capacity, backgroundColor: colours.capacity },
        ],
      },
      options: {
        indexAxis: "y",
        scales: {
          x: { beginAtZero: true },
          // A long name is shortened on the axis (the tooltip and the table give it whole),
          // so that it does not push the bars off a narrow screen.
          y: {
            ticks: {
              callback(value) {
                const name = this.getLabelForValue(value);
                return name.length > 20 ? `${name.slice(0, 19)}…` : name;
              },
            },
          },
        },
      },
    }),
  };

  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const source = document.getElementById(canvas.dataset.source);
    const build = builders[canvas.dataset.chart];
    if (!source || !build) {
      return;
    }
    new Chart(canvas, build(JSON.parse(source.textContent)));
  });
});
