<#import "template.ftl" as layout>
<@layout.registrationLayout displayMessage=false; section>
    <#if section = "header">
        ${msg("errorTitle")}
    <#elseif section = "form">
        <div id="kc-error-message">
            <div class="ww-alert ww-alert--error">
                <p class="ww-alert__text">${kcSanitize(message.summary)?no_esc}</p>
            </div>
            <p class="instruction">${msg("wwErrorNext")}</p>
            <#if traceId??>
                <p class="ww-hint" id="traceId">${msg("traceIdSupportMessage", traceId)}</p>
            </#if>
            <#if !skipLink?? && client?? && client.baseUrl?has_content>
                <p><a class="ww-btn ww-btn--primary ww-btn--block" id="backToApplication" href="${client.baseUrl}">${msg("backToApplication")}</a></p>
            </#if>
        </div>
    </#if>
</@layout.registrationLayout>
