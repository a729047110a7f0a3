# Observability: what the namespaces' OpenTelemetry Collector (k8s/base/otel-collector.yaml) may
# write, an uptime check on the public URL, and the alert policies of the SLO in DEPLOY.md.

variable "alert_email" {
  description = "Where alerts go (an email notification channel); empty: the policies alert in the console only."
  type        = string
  default     = ""
}

variable "public_host" {
  description = "Host name of the main environment (its domain); empty: its static IP over plain HTTP."
  type        = string
  default     = ""
}

locals {
  # The SLO of DEPLOY.md: 99.5 % of requests answered without a 5xx, p95 backend latency 300 ms.
  slo_error_ratio    = 0.005
  slo_p95_latency_ms = 300
  # Alert when errors spend the monthly budget four times too fast (in about a week).
  alert_error_ratio = local.slo_error_ratio * 4
  # The collector's Kubernetes ServiceAccount in each app namespace, as a Workload Identity
  # principal: it gets exactly the two writer roles, and no IAM service account exists for it.
  collector_principals = {
    for env in var.environments : env => join("/", [
      "principal://iam.googleapis.com/projects/${data.google_project.this.number}/locations/global",
      "workloadIdentityPools/${var.project_id}.svc.id.goog/subject/ns/todo-${env}/sa/otel-collector",
    ])
  }
  collector_roles = ["roles/cloudtrace.agent", "roles/monitoring.metricWriter"]
  # GKE names an Ingress's URL map k8s2-um-<hash>-<namespace>-<ingress>-<hash>.
  main_url_map = "monitoring.regex.full_match(\"k8s2-um-.*-todo-main-todo-.*\")"
}

data "google_project" "this" {}

resource "google_project_service" "observability" {
  for_each = toset([
    "cloudtrace.googleapis.com",
    "monitoring.googleapis.com",
  ])
  service            = each.value
  disable_on_destroy = false
  depends_on         = [google_project_service.foundation]
}

resource "google_project_iam_member" "otel_collector" {
  for_each = {
    for pair in setproduct(keys(local.collector_principals), local.collector_roles) : "${pair[0]}/${pair[1]}" => {
      member = local.collector_principals[pair[0]]
      role   = pair[1]
    }
  }
  project    = var.project_id
  role       = each.value.role
  member     = each.value.member
  depends_on = [google_container_cluster.todo]
}

resource "google_monitoring_notification_channel" "email" {
  count        = var.alert_email == "" ? 0 : 1
  display_name = "todo alerts"
  type         = "email"
  labels       = { email_address = var.alert_email }
  depends_on   = [google_project_service.observability]
}

# The public URL from several regions: the list through the load balancer, Spin and the database.
resource "google_monitoring_uptime_check_config" "main" {
  display_name = "todo-main /api/todos"
  timeout      = "10s"
  period       = "60s"

  http_check {
    path           = "/api/todos?limit=1"
    port           = var.public_host == "" ? 80 : 443
    use_ssl        = var.public_host != ""
    validate_ssl   = var.public_host != ""
    request_method = "GET"
    accepted_response_status_codes {
      status_class = "STATUS_CLASS_2XX"
    }
  }

  monitored_resource {
    type = "uptime_url"
    labels = {
      project_id = var.project_id
      host       = var.public_host == "" ? google_compute_global_address.ingress["main"].address : var.public_host
    }
  }
  depends_on = [google_project_service.observability]
}

resource "google_monitoring_alert_policy" "uptime" {
  display_name          = "todo-main is unreachable"
  combiner              = "OR"
  notification_channels = google_monitoring_notification_channel.email[*].id
  documentation {
    content = "The uptime check of the public URL fails from more than one region. See DEPLOY.md, Observability."
  }
  conditions {
    display_name = "uptime check failing"
    condition_threshold {
      filter          = "metric.type=\"monitoring.googleapis.com/uptime_check/check_passed\" AND resource.type=\"uptime_url\" AND metric.label.check_id=\"${google_monitoring_uptime_check_config.main.uptime_check_id}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 1
      duration        = "120s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_NEXT_OLDER"
        cross_series_reducer = "REDUCE_COUNT_FALSE"
        group_by_fields      = ["resource.label.host"]
      }
    }
  }
}

# Availability as users see it: the load balancer's share of 5xx answers.
resource "google_monitoring_alert_policy" "availability" {
  display_name          = "todo-main fails requests (availability SLO)"
  combiner              = "OR"
  notification_channels = google_monitoring_notification_channel.email[*].id
  documentation {
    content = "More than ${local.alert_error_ratio * 100} % of requests got a 5xx for 10 minutes: the error budget of the ${(1 - local.slo_error_ratio) * 100} % SLO burns four times too fast. Find a failing request's trace in Cloud Trace by its request_id (DEPLOY.md, Observability)."
  }
  conditions {
    display_name = "5xx ratio above ${local.alert_error_ratio * 100} %"
    condition_threshold {
      filter                  = "metric.type=\"loadbalancing.googleapis.com/https/request_count\" AND resource.type=\"https_lb_rule\" AND resource.label.url_map_name=${local.main_url_map} AND metric.label.response_code_class=500"
      denominator_filter      = "metric.type=\"loadbalancing.googleapis.com/https/request_count\" AND resource.type=\"https_lb_rule\" AND resource.label.url_map_name=${local.main_url_map}"
      comparison              = "COMPARISON_GT"
      threshold_value         = local.alert_error_ratio
      duration                = "600s"
      evaluation_missing_data = "EVALUATION_MISSING_DATA_INACTIVE"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_RATE"
        cross_series_reducer = "REDUCE_SUM"
      }
      denominator_aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_RATE"
        cross_series_reducer = "REDUCE_SUM"
      }
    }
  }
}

# Latency: the 95th percentile of the backends' time to answer (the load balancer's measure,
# without the client's own network).
resource "google_monitoring_alert_policy" "latency" {
  display_name          = "todo-main is slow (p95 latency SLO)"
  combiner              = "OR"
  notification_channels = google_monitoring_notification_channel.email[*].id
  documentation {
    content = "The p95 backend latency stayed above ${local.slo_p95_latency_ms} ms for 10 minutes. Cloud Trace shows where the time goes (Spin, the Postgres statements, the sidecar): DEPLOY.md, Observability."
  }
  conditions {
    display_name = "p95 backend latency above ${local.slo_p95_latency_ms} ms"
    condition_threshold {
      filter          = "metric.type=\"loadbalancing.googleapis.com/https/backend_latencies\" AND resource.type=\"https_lb_rule\" AND resource.label.url_map_name=${local.main_url_map}"
      comparison      = "COMPARISON_GT"
      threshold_value = local.slo_p95_latency_ms
      duration        = "600s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_PERCENTILE_95"
      }
    }
  }
}

# The daily picture: stale when no fetch succeeded for a day and a bit (the sidecar's gauge,
# scraped by the collector into Managed Prometheus).
resource "google_monitoring_alert_policy" "daily_image" {
  display_name          = "todo daily image is stale"
  combiner              = "OR"
  notification_channels = google_monitoring_notification_channel.email[*].id
  documentation {
    content = "The image sidecar has served the same picture for over 26 hours: its fetches fail (image_sidecar_fetches_total by outcome, /status, the sidecar's log and its 'refresh picture' traces)."
  }
  conditions {
    display_name = "image older than 26 h"
    condition_prometheus_query_language {
      query    = "time() - max by (namespace) (image_sidecar_image_fetched_timestamp_seconds) > 26 * 3600"
      duration = "600s"
    }
  }
  depends_on = [google_project_service.observability]
}
