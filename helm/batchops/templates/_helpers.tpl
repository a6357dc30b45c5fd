{{/* Chart name, truncated to the 63 characters Kubernetes names allow. */}}
{{- define "batchops.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name: "<release>-batchops", or the release name if it already contains the chart name. */}}
{{- define "batchops.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "batchops.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels: stable across upgrades. */}}
{{- define "batchops.selectorLabels" -}}
app.kubernetes.io/name: {{ include "batchops.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Common labels, including SiteWhere's microservice labels. */}}
{{- define "batchops.labels" -}}
helm.sh/chart: {{ include "batchops.chart" . }}
{{ include "batchops.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: batch-operations
app.kubernetes.io/managed-by: {{ .Release.Service }}
sitewhere.io/role: microservice
sitewhere.io/name: batch-operations
{{- end }}

{{- define "batchops.serviceName" -}}
{{- default (include "batchops.fullname" .) .Values.batch_operations.service.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "batchops.configMapName" -}}
{{- printf "%s-config" (include "batchops.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The Secret the pod reads: the user's existingSecret, or the chart's own. */}}
{{- define "batchops.secretName" -}}
{{- if .Values.auth.existingSecret }}
{{- .Values.auth.existingSecret }}
{{- else }}
{{- printf "%s-auth" (include "batchops.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "batchops.image" -}}
{{- $image := .Values.batch_operations.image }}
{{- printf "%s:%s" $image.repository (default .Chart.AppVersion $image.tag | toString) }}
{{- end }}

{{/* Fails the render when auth is on without any key material. */}}
{{- define "batchops.validateAuth" -}}
{{- if and .Values.auth.enabled (not .Values.auth.existingSecret) (not .Values.auth.jwtSecret) (not .Values.auth.jwtPublicKey) }}
{{- fail "auth.enabled=true needs auth.jwtSecret (HS256), auth.jwtPublicKey (RS256) or auth.existingSecret" }}
{{- end }}
{{- end }}
