/* The front end of anywidget for the course's offline HTML edition (make html).
 *
 * The pages render their widgets from the saved state with @jupyter-widgets/html-manager, which
 * asks require.js for a widget's module (`require(["anywidget"])`) and only then falls back to a
 * CDN. The pages map the module name "anywidget" to this file (see offline_widgets.html.j2), so
 * the widgets of anywidget (model "AnyModel", view "AnyView") render with no network.
 *
 * What it does, as anywidget does in JupyterLab: the model imports its `_esm` source as an ES
 * module (a Blob URL, or a data: URL where a page opened from disk refuses the Blob), calls the
 * module's `initialize({ model })` once, injects `_css` into the page once per widget class, and
 * every view calls `render({ model, el })`. The `model` handed to the module has anywidget's API:
 * get, set, on("change:name", cb), off, save_changes, send, widget_manager. Binary traits arrive
 * as DataViews (the manager decodes the saved base64 buffers), as in JupyterLab.
 *
 * There is no kernel: save_changes keeps the value in the page (set() has already stored it and
 * fired the change events), send() and experimental.invoke() reach nobody.
 */
define(["@jupyter-widgets/base"], function (base) {
  "use strict";

  var VERSION = "0.11.0";
  var NO_KERNEL = "[anywidget] no kernel in the offline copy of the course";

  function isUrl(text) {
    return /^https?:\/\//.test(text);
  }

  async function importSource(source) {
    if (isUrl(source)) {
      return import(source);
    }
    var url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    try {
      return await import(url);
    } catch (error) {
      // a syntax or run-time error of the module itself: report it, do not run it twice
      if (!(error instanceof TypeError) || !/import|fetch/i.test(error.message)) {
        throw error;
      }
      return import("data:text/javascript;charset=utf-8," + encodeURIComponent(source));
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  async function loadWidget(source) {
    var mod = await importSource(source);
    if (mod.render) {  // the old form: `export function render(...)`
      return { render: mod.render, initialize: mod.initialize };
    }
    if (!mod.default) {
      throw new Error("[anywidget] the module must export a default function or object");
    }
    return typeof mod.default === "function" ? await mod.default() : mod.default;
  }

  function injectCss(css, id) {
    if (!css) {
      return;
    }
    var key = String(id || "anywidget");
    var old = Array.prototype.find.call(document.head.querySelectorAll("[data-anywidget-id]"),
      function (node) { return node.dataset.anywidgetId === key; });
    var node = isUrl(css) ? document.createElement("link") : document.createElement("style");
    node.dataset.anywidgetId = key;
    if (isUrl(css)) {
      node.rel = "stylesheet";
      node.href = css;
    } else {
      node.textContent = css;
    }
    if (old) {
      old.replaceWith(node);
    } else {
      document.head.appendChild(node);
    }
  }

  /* anywidget's model API over a Backbone model; listeners registered through it are removed
     together with `context` (a view that goes away) */
  function modelProxy(model, context) {
    return {
      get: function (name) { return model.get(name); },
      set: function () { return model.set.apply(model, arguments); },
      save_changes: function () {},  // no kernel: set() has stored the value, fired the events
      send: function () {},
      on: function (name, callback) { model.on(name, callback, context); },
      off: function (name, callback) { model.off(name || null, callback || null, context); },
      widget_manager: model.widget_manager,
    };
  }

  var experimental = {
    invoke: function () { return Promise.reject(new Error(NO_KERNEL)); },
  };

  function cleanUp(cleanup, what) {
    if (typeof cleanup !== "function") {
      return;
    }
    Promise.resolve().then(cleanup).catch(function (error) {
      console.warn("[anywidget] error cleaning up " + what, error);
    });
  }

  class AnyModel extends base.DOMWidgetModel {
    defaults() {
      return Object.assign({}, super.defaults(), {
        _model_name: "AnyModel", _model_module: "anywidget", _model_module_version: VERSION,
        _view_name: "AnyView", _view_module: "anywidget", _view_module_version: VERSION,
      });
    }

    initialize(attributes, options) {
      super.initialize(attributes, options);
      var controller = new AbortController();
      var context = {};
      var model = this;
      this.once("destroy", function () {
        controller.abort();
        model.off(null, null, context);
      });
      injectCss(this.get("_css"), this.get("_anywidget_id"));
      this.on("change:_css", function () { injectCss(model.get("_css"), model.get("_anywidget_id")); });
      // the views wait for this; a failure is shown (and logged) by each view
      this._anywidgetReady = loadWidget(this.get("_esm")).then(async function (widget) {
        if (widget.initialize) {
          var cleanup = await widget.initialize({
            model: modelProxy(model, context), signal: controller.signal, experimental: experimental,
          });
          controller.signal.addEventListener("abort", function () { cleanUp(cleanup, "a model"); });
        }
        return widget;
      });
      this._anywidgetReady.catch(function () {});
    }

    save_changes() {}  // no kernel to send to

    send() {}
  }
  AnyModel.model_name = "AnyModel";
  AnyModel.model_module = "anywidget";
  AnyModel.model_module_version = VERSION;
  AnyModel.view_name = "AnyView";
  AnyModel.view_module = "anywidget";
  AnyModel.view_module_version = VERSION;

  class AnyView extends base.DOMWidgetView {
    render() {
      // not awaited: the manager attaches the element at once, the module draws into it when
      // loaded (as in JupyterLab)
      var view = this;
      var controller = new AbortController();
      this._anywidgetController = controller;
      this.model._anywidgetReady.then(async function (widget) {
        if (controller.signal.aborted || !widget.render) {
          return;
        }
        var cleanup = await widget.render({
          model: modelProxy(view.model, view), el: view.el, signal: controller.signal,
          experimental: experimental,
        });
        if (controller.signal.aborted) {
          cleanUp(cleanup, "a view");
        } else {
          controller.signal.addEventListener("abort", function () { cleanUp(cleanup, "a view"); });
        }
      }).catch(function (error) {
        var note = document.createElement("pre");
        note.className = "anywidget-offline-error";
        note.textContent = "This widget could not be shown: " + error;
        view.el.replaceChildren(note);
        console.error("[anywidget]", error);
      });
    }

    remove() {
      if (this._anywidgetController) {
        this._anywidgetController.abort();
      }
      this.model.off(null, null, this);
      return super.remove();
    }
  }

  return { AnyModel: AnyModel, AnyView: AnyView, version: VERSION };
});
